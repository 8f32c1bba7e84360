using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NpgsqlTypes;
using WalReceiver.Diagnostics;
using WalReceiver.Wal;

namespace WalReceiver.Replication;

/// <summary>
/// Hands Npgsql's replication trace events (keepalives received, status updates sent, and why) to the
/// <see cref="ProtocolTrace"/> of the stream they belong to; every other logger, and every event, also goes on to the
/// inner factory as before.
/// </summary>
/// <remarks>
/// The events are matched by the names of Npgsql's log events and read from their structured values, not their text;
/// the trace tests fail if an Npgsql upgrade renames them. An event in a traced flow names its stream through
/// <see cref="ProtocolTrace.Current"/>, and teaches the bridge which Npgsql connection that stream uses; an event of
/// Npgsql's own timers, which run outside that flow, finds its stream by that connection id.
/// </remarks>
internal sealed class NpgsqlTraceBridge(ILoggerFactory inner) : ILoggerFactory
{
    /// <summary>Npgsql's logger category for replication.</summary>
    public const string ReplicationCategory = "Npgsql.Replication";

    // Npgsql's reason when the application asked for the update (SendStatusUpdate): ours is then in ProtocolTrace.StatusReason.
    private const string CalledReasonPrefix = "SendStatusUpdate";
    private const string ServerRequestedReason = "the server requested it";

    // The reason Npgsql gave for the status update being sent in this flow, until its "sent" event.
    private static readonly AsyncLocal<string?> NpgsqlReason = new();

    // Npgsql's connection id → the trace of the stream on that connection.
    private static readonly ConcurrentDictionary<int, ProtocolTrace> Connections = new();

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName == ReplicationCategory ? new TraceLogger(logger) : logger;
    }

    /// <inheritdoc/>
    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <inheritdoc/>
    public void Dispose()
    {
        // The inner factory belongs to the caller.
    }

    /// <summary>Hands one Npgsql replication event to the trace of its stream, if that stream is traced.</summary>
    internal static void Observe(string? eventName, IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        var trace = ProtocolTrace.Current;
        if (Value(values, "ConnectorId") is int connection)
        {
            if (trace is not null)
            {
                if (!Connections.TryGetValue(connection, out var known) || known != trace)
                    Remember(connection, trace);
            }
            else if (Connections.TryGetValue(connection, out var known) && !known.IsDisposed)
            {
                trace = known;
            }
        }

        if (trace is null || trace.IsDisposed)
            return;
        switch (eventName)
        {
            case "ReceivedReplicationPrimaryKeepalive":
                trace.Keepalive(LsnOf(values, "EndLsn"), Value(values, "Timestamp") is DateTime sentAt ? sentAt : default);
                break;
            case "SendingReplicationStandbyStatusUpdate":
                var reason = Value(values, "Reason") as string;
                NpgsqlReason.Value = reason;
                if (reason == ServerRequestedReason)
                    trace.ReplyRequested();
                break;
            case "SentReplicationFeedbackMessage":
                trace.StatusUpdate(LsnOf(values, "LastReceivedLsn"), LsnOf(values, "LastFlushedLsn"), LsnOf(values, "LastAppliedLsn"),
                    Describe(NpgsqlReason.Value));
                NpgsqlReason.Value = null;
                break;
        }
    }

    private static string Describe(string? npgsqlReason) => npgsqlReason switch
    {
        null => ProtocolTrace.StatusReason ?? "reason not given",
        _ when npgsqlReason.StartsWith(CalledReasonPrefix, StringComparison.Ordinal) => ProtocolTrace.StatusReason ?? "asked for",
        ServerRequestedReason => "the server's keepalive asked for a reply",
        _ => "Npgsql: " + npgsqlReason,
    };

    private static void Remember(int connection, ProtocolTrace trace)
    {
        // Entries of ended streams go when a new stream is learned: at most one per connection a process ever traced.
        foreach (var (id, old) in Connections)
        {
            if (old.IsDisposed)
                Connections.TryRemove(id, out _);
        }

        Connections[connection] = trace;
    }

    private static object? Value(IReadOnlyList<KeyValuePair<string, object?>> values, string key)
    {
        foreach (var (k, v) in values)
        {
            if (k == key)
                return v;
        }

        return null;
    }

    private static Lsn LsnOf(IReadOnlyList<KeyValuePair<string, object?>> values, string key) =>
        Value(values, key) is NpgsqlLogSequenceNumber lsn ? new Lsn((ulong)lsn) : Lsn.Invalid;

    private sealed class TraceLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        // Npgsql decodes a keepalive's timestamp, and logs what it sends, only when trace is enabled: so it is while any
        // stream is traced. In a traced flow every level is, so the connection is learned from Npgsql's first event.
        public bool IsEnabled(LogLevel logLevel) =>
            ProtocolTrace.Current is not null || (logLevel == LogLevel.Trace && ProtocolTrace.AnyActive) || inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (ProtocolTrace.AnyActive && state is IReadOnlyList<KeyValuePair<string, object?>> values)
                Observe(eventId.Name, values);
            if (inner.IsEnabled(logLevel))
                inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}

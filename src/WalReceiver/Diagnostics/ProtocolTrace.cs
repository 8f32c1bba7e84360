using System.Globalization;
using Microsoft.Extensions.Logging;
using WalReceiver.Wal;

namespace WalReceiver.Diagnostics;

/// <summary>
/// <c>--trace</c>: one log line per replication message as it happens: each XLogData (start, end, length, the server's
/// end of WAL), each keepalive (the server's end, its send time, whether it asked for a reply) and each status update we
/// send (write, flush, apply, and why it was sent).
/// </summary>
/// <remarks>
/// Npgsql answers keepalives and sends timed status updates itself, inside its replication connection, and tells of them
/// only in its own trace-level log. The replication code therefore hands those log events here (see
/// <c>NpgsqlTraceBridge</c>), and the stream that is being traced is found through <see cref="Current"/>, an async-local
/// value set by the streaming loop: Npgsql's reads, sends and timers all run in its flow, so each event lands at the
/// trace of the stream it belongs to, also with several sources in one daemon. When no trace is set, nothing here runs
/// and Npgsql's trace level stays off.
/// </remarks>
internal sealed class ProtocolTrace : IDisposable
{
    // A keepalive that asks for a reply is followed at once, on the same thread, by Npgsql's "sending a status update
    // because the server requested it"; one that does not is followed by nothing. So a keepalive waits this long for that
    // event before it is written with "reply requested no".
    private static readonly TimeSpan ReplyWindow = TimeSpan.FromMilliseconds(20);

    private static readonly AsyncLocal<ProtocolTrace?> CurrentTrace = new();
    private static readonly AsyncLocal<string?> CurrentReason = new();
    private static int _active;

    private readonly ILogger _logger;
    private readonly ITimer _replyTimer;
    private readonly Lock _lock = new();
    private (Lsn ServerEnd, DateTime SentAt)? _pendingKeepalive;

    /// <summary>Creates a trace that writes to <paramref name="logger"/> at information level.</summary>
    public ProtocolTrace(ILogger logger, TimeProvider time)
    {
        _logger = logger;
        Interlocked.Increment(ref _active);
        _replyTimer = time.CreateTimer(static s => ((ProtocolTrace)s!).WritePendingKeepalive(replyRequested: false), this,
            Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Whether any stream of the process is traced now; events outside a traced flow are looked at only then.</summary>
    public static bool AnyActive => Volatile.Read(ref _active) > 0;

    /// <summary>Whether this trace has ended (its stream attempt is over).</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>The trace of the stream running in this async flow, or null when it is not traced.</summary>
    public static ProtocolTrace? Current
    {
        get => CurrentTrace.Value;
        set => CurrentTrace.Value = value;
    }

    /// <summary>Why the status update about to be sent in this flow is sent, in words; set by the streaming loop.</summary>
    public static string? StatusReason
    {
        get => CurrentReason.Value;
        set => CurrentReason.Value = value;
    }

    /// <summary>An XLogData message: <paramref name="length"/> bytes of WAL from <paramref name="start"/>.</summary>
    public void XLogData(Lsn start, int length, Lsn serverEnd)
    {
        lock (_lock)
        {
            WritePendingKeepaliveLocked(replyRequested: false);
            Log.TraceXLogData(_logger, start, start + (ulong)length, length, serverEnd);
        }
    }

    /// <summary>A primary keepalive message; written once it is known whether a reply follows.</summary>
    public void Keepalive(Lsn serverEnd, DateTime sentAt)
    {
        lock (_lock)
        {
            WritePendingKeepaliveLocked(replyRequested: false);
            _pendingKeepalive = (serverEnd, sentAt);
            _replyTimer.Change(ReplyWindow, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The keepalive just received asked for a reply (its reply-request flag was set).</summary>
    public void ReplyRequested() => WritePendingKeepalive(replyRequested: true);

    /// <summary>A standby status update was sent with these positions, for <paramref name="reason"/>.</summary>
    public void StatusUpdate(Lsn write, Lsn flush, Lsn apply, string reason)
    {
        lock (_lock)
            Log.TraceStatusUpdate(_logger, write, flush, apply, reason);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (IsDisposed)
            return;
        IsDisposed = true;
        Interlocked.Decrement(ref _active);
        _replyTimer.Dispose();
        WritePendingKeepalive(replyRequested: false);
    }

    private void WritePendingKeepalive(bool replyRequested)
    {
        lock (_lock)
            WritePendingKeepaliveLocked(replyRequested);
    }

    private void WritePendingKeepaliveLocked(bool replyRequested)
    {
        if (_pendingKeepalive is not { } k)
            return;
        _pendingKeepalive = null;
        _replyTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        // The server's clock, to the microsecond it sends: next to the log's own time it shows the delay on the way.
        Log.TraceKeepalive(_logger, k.ServerEnd, k.SentAt.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture), replyRequested ? "yes" : "no");
    }
}

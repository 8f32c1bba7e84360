using System.Globalization;
using System.Runtime.CompilerServices;
using Npgsql;
using Npgsql.Replication;
using NpgsqlTypes;
using WalReceiver.Diagnostics;
using WalReceiver.Wal;

namespace WalReceiver.Replication;

/// <summary>An <see cref="IWalSource"/> over Npgsql's <see cref="PhysicalReplicationConnection"/>.</summary>
internal sealed class NpgsqlWalSource : IWalSource
{
    /// <summary>Servers before 10 have neither <c>SHOW</c> on replication connections nor Npgsql support.</summary>
    public static readonly Version FirstSupportedVersion = new(10, 0);

    // The walsender sends at most 128 kB per message (MAX_SEND_SIZE); the buffer grows if a server ever sends more.
    private byte[] _buffer = new byte[128 * 1024];
    private readonly PhysicalReplicationConnection _connection;

    /// <summary>
    /// The connection-attempt limit when the connection string sets none (libpq's connect_timeout unset means wait forever).
    /// Npgsql ends a stream after the receive timeout by first sending a cancel request over a new connection, bounded by
    /// this same limit (twice, with GSS encryption preferred): unbounded, a network that drops everything would hold the
    /// attempt, and a stop, forever.
    /// </summary>
    public const int DefaultConnectTimeoutSeconds = 10;

    private readonly TimeSpan _receiveTimeout;

    private NpgsqlWalSource(PhysicalReplicationConnection connection, ServerIdentity identity, TimeSpan receiveTimeout)
    {
        _connection = connection;
        Identity = identity;
        _receiveTimeout = receiveTimeout;
    }

    /// <inheritdoc/>
    public ServerIdentity Identity { get; }

    /// <inheritdoc/>
    public Lsn ReportedFlush
    {
        get => new((ulong)_connection.LastFlushedLsn);
        set => _connection.LastFlushedLsn = new NpgsqlLogSequenceNumber(value.Value);
    }

    /// <inheritdoc/>
    public Lsn ServerWalEnd => new((ulong)_connection.LastReceivedLsn);

    /// <summary>Opens a replication connection and reads what the archiver needs to know about the server.</summary>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <param name="statusInterval">Time between status updates; zero turns the periodic ones off.</param>
    /// <param name="receiveTimeout">How long without any message from the server (keepalives count) before the stream fails.</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    public static async Task<NpgsqlWalSource> OpenAsync(string connectionString, TimeSpan statusInterval, TimeSpan receiveTimeout,
        CancellationToken cancellationToken)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        if (settings.Timeout == 0)
            settings.Timeout = DefaultConnectTimeoutSeconds;
        var connection = new PhysicalReplicationConnection(settings.ConnectionString)
        {
            // 0 disables periodic updates, as -s 0 does in pg_receivewal; replies the server asks for are still sent.
            WalReceiverStatusInterval = statusInterval <= TimeSpan.Zero ? Timeout.InfiniteTimeSpan : statusInterval,
            // Npgsql asks the server for a reply after half of this without a message, as PostgreSQL's walreceiver does
            // with wal_receiver_timeout, and fails the read after all of it: a silent network ends the attempt.
            WalReceiverTimeout = receiveTimeout,
        };
        try
        {
            await connection.Open(cancellationToken);
            var id = await connection.IdentifySystem(cancellationToken);
            var version = connection.PostgreSqlVersion;
            CheckServerVersion(version, connection.ServerVersion);
            var segmentSize = WalSegmentSize.Parse(await connection.Show("wal_segment_size", cancellationToken));
            var mode = version.Major >= 11 ? await connection.Show("data_directory_mode", cancellationToken) : null;
            var timeout = ParseMilliseconds(await connection.Show("wal_sender_timeout", cancellationToken));
            var syncCommit = await connection.Show("synchronous_commit", cancellationToken);
            var syncNames = await connection.Show("synchronous_standby_names", cancellationToken);
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            var standby = await connection.Show(version.Major >= 14 ? "in_hot_standby" : "transaction_read_only", cancellationToken) == "on";
            var identity = new ServerIdentity(ulong.Parse(id.SystemId, CultureInfo.InvariantCulture), id.Timeline,
                new Lsn((ulong)id.XLogPos), version, segmentSize, mode, timeout, syncCommit, syncNames, builder.ApplicationName ?? "", standby,
                $"{builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}");
            return new NpgsqlWalSource(connection, identity, receiveTimeout);
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            if (e is PostgresException { SqlState: PostgresErrorCodes.TooManyConnections } refused)
                throw await WalSenderLimit.ExplainAsync(connectionString, refused, cancellationToken);
            if (ReplicationErrors.Classify(e, ReplicationOperation.Connect, "could not connect to the server") is { } w)
                throw w;
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task<ReplicationSlotInfo?> ReadSlotAsync(string slot, CancellationToken cancellationToken)
    {
        if (!Identity.CanReadSlots)
            return null;
        try
        {
            var s = await _connection.ReadReplicationSlot(slot, cancellationToken);
            return s is null ? null : new ReplicationSlotInfo(s.Name ?? slot,
                s.RestartLsn is { } lsn ? new Lsn((ulong)lsn) : null, s.RestartTimeline);
        }
        catch (Exception e) when (ReplicationErrors.Classify(e, ReplicationOperation.ReadSlot, $"could not read replication slot \"{slot}\"") is { } w)
        {
            throw w;
        }
    }

    /// <inheritdoc/>
    public async Task<byte[]> TimelineHistoryAsync(uint timeline, CancellationToken cancellationToken)
    {
        try
        {
            return await TimelineHistoryCommand.ReadAsync(_connection, timeline, cancellationToken);
        }
        catch (Exception e) when (ReplicationErrors.Classify(e, ReplicationOperation.TimelineHistory, $"could not read the history of timeline {timeline}") is { } w)
        {
            throw w;
        }
    }

    // Another receiver may have created it a moment ago: that is as good.
    /// <inheritdoc/>
    public Task CreateSlotAsync(string slot, CancellationToken cancellationToken) =>
        SlotCommands.CreateAsync(_connection, slot, ifNotExists: true, cancellationToken);

    /// <inheritdoc/>
    public async IAsyncEnumerable<WalChunk> StreamAsync(string? slot, Lsn start, uint timeline,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var messages = (slot is null
            ? _connection.StartReplication(new NpgsqlLogSequenceNumber(start.Value), cancellationToken, timeline)
            : _connection.StartReplication(new PhysicalReplicationSlot(slot), new NpgsqlLogSequenceNumber(start.Value), cancellationToken, timeline))
            .GetAsyncEnumerator(cancellationToken);
        await using (messages)
        {
            while (true)
            {
                WalChunk chunk;
                try
                {
                    if (!await messages.MoveNextAsync())
                        yield break;
                    var message = messages.Current;
                    // The message and its Data stream are reused by Npgsql for the next message: copy the bytes out now.
                    var length = checked((int)message.Data.Length);
                    if (length > _buffer.Length)
                        _buffer = new byte[length];
                    await message.Data.ReadExactlyAsync(_buffer.AsMemory(0, length), cancellationToken);
                    chunk = new WalChunk(new Lsn((ulong)message.WalStart), _buffer.AsMemory(0, length));
                    ProtocolTrace.Current?.XLogData(chunk.Start, length, new Lsn((ulong)message.WalEnd));
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (NpgsqlException e) when (e.InnerException is TimeoutException)
                {
                    throw new WalReceiverException(FailureKind.Transient,
                        $"no message from the server for {_receiveTimeout.TotalSeconds:0.###} s (receive timeout): the network or the server went " +
                        "silent; reconnecting", e);
                }
                catch (Exception e) when (ReplicationErrors.IsEndOfStream(e))
                {
                    // The server ended the stream: the end of a timeline (promotion upstream) or a shutdown. Npgsql 10 has no
                    // way to read the next-timeline result that follows, so the caller reconnects and plans from the history.
                    break;
                }
                catch (Exception e) when (ReplicationErrors.Classify(e, ReplicationOperation.Stream, "replication stream ended") is { } w)
                {
                    throw w;
                }

                yield return chunk;
            }
        }
    }

    /// <inheritdoc/>
    public Task SendStatusUpdateAsync(CancellationToken cancellationToken) => _connection.SendStatusUpdate(cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>Refuses servers older than <see cref="FirstSupportedVersion"/>; newer servers are accepted (the protocol is stable).</summary>
    internal static void CheckServerVersion(Version version, string displayed)
    {
        if (version < FirstSupportedVersion)
            throw new WalReceiverException(FailureKind.Configuration,
                $"incompatible server version {displayed}: walreceiver needs PostgreSQL {FirstSupportedVersion.Major} or later");
    }

    private static TimeSpan ParseMilliseconds(string text)
    {
        // SHOW prints units: "60s", "3s", "500ms", "1min", or "0".
        var s = text.Trim();
        var digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits]))
            digits++;
        var n = digits == 0 ? 0 : long.Parse(s.AsSpan(0, digits), CultureInfo.InvariantCulture);
        return s[digits..] switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "min" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            "d" => TimeSpan.FromDays(n),
            _ => TimeSpan.FromMilliseconds(n),
        };
    }
}

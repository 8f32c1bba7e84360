using Microsoft.Extensions.Logging;
using WalReceiver.Wal;

namespace WalReceiver.Hosting;

/// <summary>What <see cref="WalArchiveReceiver.StartAsync"/> streams from, and where to.</summary>
public sealed class WalArchiveReceiverOptions
{
    /// <summary>
    /// The server to stream from, as <c>walreceiver receive -d</c> and the daemon take it: a libpq connection string
    /// (<c>host=... port=... user=...</c>) or a <c>postgresql://</c> URI; what it omits comes from libpq's environment
    /// (PGHOST, PGPORT, PGUSER, PGPASSWORD...). The user needs the REPLICATION attribute and a <c>replication</c> line in
    /// pg_hba.conf; a database, if named, is ignored (physical replication has none).
    /// </summary>
    public required string ConnectionString { get; set; }

    /// <summary>
    /// The archive directory, created when missing. Null: a new temporary directory, deleted when the receiver is disposed
    /// (what a test wants when it only asserts on what arrived).
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>
    /// The replication slot to stream from, or null for none: the server then keeps WAL for the receiver only while it is
    /// connected, and the stream starts at the server's current segment (as pg_receivewal without <c>-S</c>).
    /// </summary>
    public string? SlotName { get; set; }

    /// <summary>Whether a missing <see cref="SlotName"/> is created (a physical slot that reserves WAL at once). Default true.</summary>
    public bool CreateSlot { get; set; } = true;

    /// <summary>
    /// Whether every batch of WAL is fsynced, and its flush reported, as it arrives (pg_receivewal's <c>--synchronous</c>).
    /// Without it the receiver fsyncs when the stream pauses for 0.2 s or the oldest unflushed byte is 1 s old, so
    /// <see cref="WalArchiveReceiver.WaitForFlushAsync"/> returns up to that much later.
    /// </summary>
    public bool Synchronous { get; set; }

    /// <summary>How finished segments are stored: <c>none</c> (default), <c>gzip</c>, <c>lz4</c> or <c>zstd</c>, with an optional <c>:level</c>.</summary>
    public string Compression { get; set; } = "none";

    /// <summary>Where the stream stops by itself (pg_receivewal's <c>--endpos</c>), or null to stream until stopped.</summary>
    public Lsn? EndLsn { get; set; }

    /// <summary>
    /// Whether a lost connection is retried with backoff, as the daemon does. Default false: the receiver ends at the first
    /// failure and the next wait reports it, which is what a test wants from a server that went away.
    /// </summary>
    public bool Reconnect { get; set; }

    /// <summary>Where the receiver's log goes (and Npgsql's, at debug level, if Npgsql was not used before in this process); null for none.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}

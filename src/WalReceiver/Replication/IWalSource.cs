using WalReceiver.Wal;

namespace WalReceiver.Replication;

/// <summary>
/// One open replication connection, as the streaming loop needs it. The seam that keeps Npgsql inside
/// <c>Replication/</c> and lets the loop be tested with a fake.
/// </summary>
internal interface IWalSource : IAsyncDisposable
{
    /// <summary>What <c>IDENTIFY_SYSTEM</c> and <c>SHOW</c> said when the connection opened.</summary>
    ServerIdentity Identity { get; }

    /// <summary>
    /// The flush position to report in status updates (0 = none). Set only to bytes an fsync has covered: a physical
    /// slot's <c>restart_lsn</c> moves to exactly this value.
    /// </summary>
    Lsn ReportedFlush { get; set; }

    /// <summary>The server's end of WAL as its last message said (Npgsql's LastReceivedLsn); 0 before any message.</summary>
    Lsn ServerWalEnd { get; }

    /// <summary>Reads a physical slot; null if it does not exist. Only when <see cref="ServerIdentity.CanReadSlots"/>.</summary>
    Task<ReplicationSlotInfo?> ReadSlotAsync(string slot, CancellationToken cancellationToken);

    /// <summary>Creates a physical slot that reserves WAL at once.</summary>
    Task CreateSlotAsync(string slot, CancellationToken cancellationToken);

    /// <summary>The content of <c>%08X.history</c> of <paramref name="timeline"/> (<c>TIMELINE_HISTORY</c>; timeline 2 and later).</summary>
    Task<byte[]> TimelineHistoryAsync(uint timeline, CancellationToken cancellationToken);

    /// <summary>Streams WAL from <paramref name="start"/> on <paramref name="timeline"/>. Ends when the server ends the stream (the end of a timeline, or a shutdown).</summary>
    IAsyncEnumerable<WalChunk> StreamAsync(string? slot, Lsn start, uint timeline, CancellationToken cancellationToken);

    /// <summary>Sends a status update now, with the current <see cref="ReportedFlush"/>. Safe from another thread.</summary>
    Task SendStatusUpdateAsync(CancellationToken cancellationToken);
}

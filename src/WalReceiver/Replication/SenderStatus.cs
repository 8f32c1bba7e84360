using WalReceiver.Wal;

namespace WalReceiver.Replication;

/// <summary>One row of <c>pg_stat_replication</c>, with the lags as bytes behind the server's WAL end.</summary>
internal sealed record SenderStatus(
    string ApplicationName,
    string? ClientAddress,
    string State,
    string SyncState,
    Lsn? Sent,
    Lsn? Write,
    Lsn? Flush,
    Lsn? Replay,
    long? SentLagBytes,
    long? WriteLagBytes,
    long? FlushLagBytes,
    TimeSpan? WriteLag,
    TimeSpan? FlushLag,
    TimeSpan? ReplayLag);

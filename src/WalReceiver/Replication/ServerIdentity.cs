using WalReceiver.Wal;

namespace WalReceiver.Replication;

/// <summary>What the server told us about itself when the replication connection opened.</summary>
/// <param name="SystemId">The cluster's system identifier (<c>IDENTIFY_SYSTEM</c>).</param>
/// <param name="Timeline">The server's current timeline.</param>
/// <param name="XLogPos">The server's current WAL flush position (on a standby: replayed or received).</param>
/// <param name="ServerVersion">The server's version.</param>
/// <param name="WalSegmentSize">From <c>SHOW wal_segment_size</c>.</param>
/// <param name="DataDirectoryMode">From <c>SHOW data_directory_mode</c> (octal text), or null before PostgreSQL 11.</param>
/// <param name="WalSenderTimeout">From <c>SHOW wal_sender_timeout</c>; <see cref="TimeSpan.Zero"/> means disabled.</param>
/// <param name="SynchronousCommit">From <c>SHOW synchronous_commit</c>.</param>
/// <param name="SynchronousStandbyNames">From <c>SHOW synchronous_standby_names</c>.</param>
/// <param name="ApplicationName">The application name this connection announced.</param>
/// <param name="IsStandby">Whether the server is in recovery (a standby): <c>SHOW in_hot_standby</c>, or
/// <c>transaction_read_only</c> before PostgreSQL 14.</param>
/// <param name="Host">The host (and port) this connection reached, for messages.</param>
internal sealed record ServerIdentity(
    ulong SystemId,
    uint Timeline,
    Lsn XLogPos,
    Version ServerVersion,
    WalSegmentSize WalSegmentSize,
    string? DataDirectoryMode,
    TimeSpan WalSenderTimeout,
    string SynchronousCommit,
    string SynchronousStandbyNames,
    string ApplicationName,
    bool IsStandby = false,
    string Host = "")
{
    /// <summary>READ_REPLICATION_SLOT appeared in PostgreSQL 15.</summary>
    public static readonly Version FirstVersionWithReadReplicationSlot = new(15, 0);

    /// <summary>Whether the server answers READ_REPLICATION_SLOT, so a slot's existence and restart_lsn can be read before streaming.</summary>
    public bool CanReadSlots => ServerVersion >= FirstVersionWithReadReplicationSlot;
}

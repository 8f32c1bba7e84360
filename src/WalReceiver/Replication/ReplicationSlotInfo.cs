using WalReceiver.Wal;

namespace WalReceiver.Replication;

/// <summary>A physical replication slot as <c>READ_REPLICATION_SLOT</c> reports it.</summary>
/// <param name="Name">The slot name.</param>
/// <param name="RestartLsn">Its <c>restart_lsn</c>, or null if it never reserved WAL.</param>
/// <param name="RestartTimeline">The timeline of <see cref="RestartLsn"/>, or null.</param>
internal sealed record ReplicationSlotInfo(string Name, Lsn? RestartLsn, uint? RestartTimeline);

using WalReceiver.Wal;

namespace WalReceiver.Replication;

/// <summary>One row of <c>pg_replication_slots</c>, with the WAL it keeps on the server.</summary>
internal sealed record SlotStatus(string Name, bool Active, Lsn? RestartLsn, string? WalStatus, long? RetainedBytes, long? SafeWalSize);

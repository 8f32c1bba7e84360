using WalReceiver.Wal;

namespace WalReceiver.Replication;

/// <summary>What the server sees of its WAL receivers and slots (<c>pg_stat_replication</c>, <c>pg_replication_slots</c>).</summary>
/// <param name="Host">The server asked.</param>
/// <param name="InRecovery">Whether it is a standby.</param>
/// <param name="CurrentLsn">Its WAL end: <c>pg_current_wal_lsn()</c>, or the replayed position on a standby.</param>
/// <param name="Senders">Its walsenders that match the question.</param>
/// <param name="Slot">The slot asked about, if any and if it exists.</param>
/// <param name="WalSegmentSize">The server's segment size.</param>
internal sealed record ServerStatus(string Host, bool InRecovery, Lsn CurrentLsn, IReadOnlyList<SenderStatus> Senders, SlotStatus? Slot,
    WalSegmentSize WalSegmentSize);

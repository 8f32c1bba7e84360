namespace WalReceiver.Wal;

/// <summary>One line of a timeline history file: timeline <paramref name="Timeline"/> ended at <paramref name="SwitchPoint"/>.</summary>
/// <param name="Timeline">The ancestor timeline.</param>
/// <param name="SwitchPoint">The first LSN that is not on <paramref name="Timeline"/> (where its child begins).</param>
internal sealed record TimelineHistoryEntry(uint Timeline, Lsn SwitchPoint);

using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// Chooses where streaming starts, as pg_receivewal does: the newest segment in the archive (resume after a complete
/// one, or at the start of a partial one), else the slot's <c>restart_lsn</c>, else the server's position. Pure.
/// </summary>
internal static class StartPlanner
{
    /// <summary>Plans the start.</summary>
    /// <param name="newest">The archive's newest segment (<see cref="WalDirectory.FindNewest"/>), or null.</param>
    /// <param name="slotRestart">The slot's <c>restart_lsn</c> and timeline, if a slot reserved WAL.</param>
    /// <param name="serverPosition">The position from <c>IDENTIFY_SYSTEM</c>.</param>
    /// <param name="serverTimeline">The timeline from <c>IDENTIFY_SYSTEM</c>.</param>
    /// <param name="segmentSize">The server's WAL segment size.</param>
    public static StartPosition Plan(ArchivedSegment? newest, (Lsn Lsn, uint Timeline)? slotRestart, Lsn serverPosition,
        uint serverTimeline, WalSegmentSize segmentSize)
    {
        if (newest is not null)
        {
            return newest.IsPartial
                ? new StartPosition(segmentSize.StartOfSegment(newest.Segment), newest.Timeline, StartSource.PartialSegment)
                : new StartPosition(segmentSize.StartOfSegment(newest.Segment + 1), newest.Timeline, StartSource.CompleteSegment);
        }

        if (slotRestart is { } slot && slot.Lsn.IsValid)
            return new StartPosition(segmentSize.StartOf(slot.Lsn), slot.Timeline == 0 ? serverTimeline : slot.Timeline, StartSource.SlotRestartLsn);

        return new StartPosition(segmentSize.StartOf(serverPosition), serverTimeline, StartSource.ServerPosition);
    }
}

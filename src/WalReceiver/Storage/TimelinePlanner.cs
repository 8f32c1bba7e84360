using WalReceiver.Diagnostics;
using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// Moves a start position onto the right timeline using the server's history: a timeline that ended at or before the
/// start segment is left for its successor, which begins with the old timeline's bytes up to the switch point. Pure.
/// </summary>
/// <remarks>
/// Never produces a start exactly at a historic switch point: the server answers that without COPY, which Npgsql cannot
/// read (and which makes pg_receivewal retry forever). WAL the archive holds past the point where the server's history
/// left its timeline means the two histories diverged; that is refused, never papered over.
/// </remarks>
internal static class TimelinePlanner
{
    /// <summary>Resolves <paramref name="start"/> against <paramref name="server"/>'s history.</summary>
    /// <param name="start">The plan from the archive, slot or server position.</param>
    /// <param name="newest">The archive's newest segment, if the plan came from it.</param>
    /// <param name="server">The history of the server's current timeline.</param>
    /// <param name="segmentSize">The segment size.</param>
    /// <param name="archive">The archive's own history of its newest timeline, if it has one: named in refusals.</param>
    public static StartPosition Resolve(StartPosition start, ArchivedSegment? newest, TimelineHistory server, WalSegmentSize segmentSize,
        TimelineHistory? archive = null)
    {
        var ours = archive is null ? "" : $"; archive history: {archive}";
        var timeline = start.Timeline;
        if (timeline > server.Timeline || !server.Contains(timeline))
            throw new WalReceiverException(FailureKind.ArchiveDamage,
                $"the archive's timeline {timeline} is not in the server's history (server timeline {server.Timeline}: {server}{ours}). " +
                "The archive belongs to another history of the cluster; archive this server into a new directory");
        if (newest is not null && server.SwitchPointOf(newest.Timeline) is { } ended)
        {
            // Our WAL on that timeline goes past the point where the server's copy of it ended: the histories forked.
            var ourEnd = newest.IsPartial ? segmentSize.StartOfSegment(newest.Segment) : segmentSize.StartOfSegment(newest.Segment + 1);
            if (ourEnd > ended)
                throw new WalReceiverException(FailureKind.ArchiveDamage,
                    $"diverged history: the archive has WAL of timeline {newest.Timeline} up to {ourEnd} ({newest.FileName}), " +
                    $"but the server's timeline {newest.Timeline} ended at {ended} (server history: {server}{ours}). WAL after the fork " +
                    "would be mixed into this archive; take a new base backup and archive into a new directory");
        }

        while (server.SwitchPointOf(timeline) is { } switchPoint && segmentSize.StartOf(switchPoint) <= start.Lsn)
            timeline = server.NextAfter(timeline);
        return start with { Timeline = timeline };
    }
}

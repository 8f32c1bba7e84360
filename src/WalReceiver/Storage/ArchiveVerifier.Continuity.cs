using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// The continuity half of the archive verifier: which segment should be on which timeline (by the newest timeline's
/// history), which are missing, and which files are left over.
/// </summary>
internal sealed partial class ArchiveVerifier
{
    private string? _newestPartial;

    private void CheckContinuity(List<ArchiveFile> files, Dictionary<uint, TimelineHistory> histories)
    {
        if (files.Count == 0)
            return;
        var newest = files.Max(f => f.Timeline);
        var history = newest == TimelineId.First ? TimelineHistory.ForFirstTimeline : histories.GetValueOrDefault(newest);
        if (history is null)
        {
            var first = files.Where(f => f.Timeline == newest).MinBy(f => f.Segment)!;
            Add(ArchiveFindingSeverity.Error, first.Name, _segmentSize.StartOfSegment(first.Segment),
                $"timeline {newest} has no history file ({TimelineId.HistoryFileName(newest)}), so nothing explains the switch to it");
            foreach (var timeline in files.GroupBy(f => f.Timeline))
                CheckTimelineAlone([.. timeline.OrderBy(f => f.Segment).ThenBy(f => f.IsPartial)]);
            return;
        }

        foreach (var stray in files.GroupBy(f => f.Timeline).Where(g => !history.Contains(g.Key)))
        {
            var first = stray.MinBy(f => f.Segment)!;
            Add(ArchiveFindingSeverity.Error, first.Name, _segmentSize.StartOfSegment(first.Segment),
                $"timeline {stray.Key} is not in the history of timeline {newest} ({history}): no history file explains it");
        }

        var bySegment = files.ToLookup(f => f.Segment);
        var last = files.Max(f => f.Segment);
        ulong? missingFrom = null;
        for (var segment = files.Min(f => f.Segment); segment <= last; segment++)
        {
            var expected = ExpectedTimeline(history, segment);
            var holder = bySegment[segment].FirstOrDefault(f => f.Timeline == expected && !f.IsPartial)
                ?? bySegment[segment].FirstOrDefault(f => f.Timeline == expected && segment == last);
            if (holder is null)
            {
                missingFrom ??= segment;
                continue;
            }

            if (missingFrom is { } from)
                ReportGap(holder, from, segment - 1, history);
            missingFrom = null;
            if (holder.IsPartial)
                _newestPartial = holder.Name;
        }

        if (missingFrom is { } tail)
            ReportGap(bySegment[last].First(), tail, last, history);
        foreach (var file in files.Where(f => f.Name != _newestPartial))
        {
            var expected = ExpectedTimeline(history, file.Segment);
            if (file.IsPartial)
                Add(ArchiveFindingSeverity.Warning, file.Name, null, $"is a leftover .partial: {Superseder(bySegment[file.Segment], file, expected, last)}");
            else if (file.Timeline < expected)
                Add(ArchiveFindingSeverity.Warning, file.Name, _segmentSize.StartOfSegment(file.Segment),
                    $"holds WAL of timeline {file.Timeline} after it ended at {history.SwitchPointOf(file.Timeline)} ({TimelineId.HistoryFileName(newest)}): not on the path to timeline {newest}");
            else if (file.Timeline > expected && history.Contains(file.Timeline))
                Add(ArchiveFindingSeverity.Error, file.Name, _segmentSize.StartOfSegment(file.Segment),
                    $"is on timeline {file.Timeline}, but this segment belongs to timeline {expected} by {TimelineId.HistoryFileName(newest)}");
        }
    }

    /// <summary>Without a history, each timeline can only be checked for gaps of its own.</summary>
    private void CheckTimelineAlone(List<ArchiveFile> files)
    {
        var last = files[^1].Segment;
        for (var i = 0; i < files.Count; i++)
        {
            var file = files[i];
            if (i > 0 && file.Segment > files[i - 1].Segment + 1)
                ReportGap(file, files[i - 1].Segment + 1, file.Segment - 1, null);
            if (file.IsPartial && (file.Segment != last || files.Any(f => f.Segment == last && !f.IsPartial)))
                Add(ArchiveFindingSeverity.Warning, file.Name, null, "is a leftover .partial: later or complete files of its timeline exist");
            else if (file.IsPartial)
                _newestPartial ??= file.Name;
        }
    }

    private void ReportGap(ArchiveFile after, ulong first, ulong last, TimelineHistory? history)
    {
        string Name(ulong segment) => WalFileName.Format(history is null ? after.Timeline : ExpectedTimeline(history, segment), segment, _segmentSize);
        var missing = first == last ? $"segment {Name(first)} is missing" : $"segments {Name(first)} to {Name(last)} are missing";
        Add(ArchiveFindingSeverity.Error, after.Name, _segmentSize.StartOfSegment(first),
            $"gap: {missing} (WAL from {_segmentSize.StartOfSegment(first)} to {_segmentSize.StartOfSegment(last + 1)} is not in the archive)");
    }

    private static string Superseder(IEnumerable<ArchiveFile> sameSegment, ArchiveFile partial, uint expected, ulong last) =>
        sameSegment.FirstOrDefault(f => f != partial && f.Timeline == expected && !f.IsPartial) is { } complete
            ? $"segment superseded by {complete.Name}"
            : partial.Timeline < expected
                ? $"its timeline {partial.Timeline} ended before this segment's end; timeline {expected} continues"
                : partial.Segment < last ? "later segments exist, so it is no longer being written" : "another file holds the newest segment";

    /// <summary>
    /// The timeline whose file should hold <paramref name="segment"/>: the one holding its last byte. A segment with a
    /// switch point inside comes from the new timeline, whose file repeats the old timeline's WAL up to the switch.
    /// </summary>
    private uint ExpectedTimeline(TimelineHistory history, ulong segment) =>
        history.TimelineOf(new Lsn(_segmentSize.StartOfSegment(segment + 1).Value - 1));
}

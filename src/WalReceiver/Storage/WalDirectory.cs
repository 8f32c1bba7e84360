using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>Reads the archive directory: which segment files it holds and which is the newest usable one.</summary>
internal static class WalDirectory
{
    /// <summary>
    /// Lists the segment files of <paramref name="directory"/>. Only exact PostgreSQL names count (24 upper-case hex
    /// digits, optionally <c>.partial</c>); everything else (history files, temporary files, notes) is ignored.
    /// </summary>
    public static List<ArchivedSegment> Scan(string directory, WalSegmentSize segmentSize)
    {
        var result = new List<ArchivedSegment>();
        foreach (var info in new DirectoryInfo(directory).EnumerateFiles())
        {
            var name = info.Name;
            var isPartial = name.EndsWith(WalFileName.PartialSuffix, StringComparison.Ordinal);
            var stem = isPartial ? name.AsSpan(0, name.Length - WalFileName.PartialSuffix.Length) : name.AsSpan();
            if (WalFileName.TryParse(stem, segmentSize, out var timeline, out var segment))
                result.Add(new ArchivedSegment(name, timeline, segment, isPartial, info.Length));
        }

        return result;
    }

    /// <summary>
    /// The newest segment as pg_receivewal chooses it: highest segment number, then highest timeline, then a complete
    /// file before a <c>.partial</c>. A complete file of the wrong size is skipped (and reported through
    /// <paramref name="skipped"/>): it cannot be a finished segment, so it must not decide where streaming resumes.
    /// </summary>
    public static ArchivedSegment? FindNewest(IEnumerable<ArchivedSegment> segments, WalSegmentSize segmentSize, List<ArchivedSegment>? skipped = null)
    {
        ArchivedSegment? best = null;
        foreach (var s in segments)
        {
            if (!s.IsPartial && s.Length != segmentSize.Bytes)
            {
                skipped?.Add(s);
                continue;
            }

            if (best is null || IsNewer(s, best))
                best = s;
        }

        return best;
    }

    private static bool IsNewer(ArchivedSegment a, ArchivedSegment b) =>
        a.Segment != b.Segment ? a.Segment > b.Segment
        : a.Timeline != b.Timeline ? a.Timeline > b.Timeline
        : !a.IsPartial && b.IsPartial;
}

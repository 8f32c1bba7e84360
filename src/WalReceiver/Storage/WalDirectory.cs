using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>Reads the archive directory: which segment files it holds and which is the newest usable one.</summary>
internal static class WalDirectory
{
    /// <summary>
    /// Lists the segment files of <paramref name="directory"/>. Only exact PostgreSQL names count (24 upper-case hex
    /// digits), optionally followed by <c>.gz</c>, <c>.lz4</c> or <c>.zst</c> and then <c>.partial</c>; everything else
    /// (history files, the manifest, temporary files, notes) is ignored.
    /// </summary>
    public static List<ArchivedSegment> Scan(string directory, WalSegmentSize segmentSize)
    {
        var result = new List<ArchivedSegment>();
        foreach (var info in new DirectoryInfo(directory).EnumerateFiles())
        {
            var (stem, compression, isPartial) = CompressedWal.Split(info.Name);
            if (WalFileName.TryParse(stem, segmentSize, out var timeline, out var segment))
                result.Add(new ArchivedSegment(info.Name, timeline, segment, isPartial, info.Length, compression));
        }

        return result;
    }

    /// <summary>
    /// The newest segment as pg_receivewal chooses it: highest segment number, then highest timeline, then a complete
    /// file before a <c>.partial</c>. A complete file that does not hold exactly one segment (a plain file of the wrong
    /// size, a compressed one that decompresses to another size or not at all) is skipped, and reported through
    /// <paramref name="skipped"/>: it cannot be a finished segment, so it must not decide where streaming resumes.
    /// Compressed files are decompressed to check them, so <paramref name="directory"/> is needed for them.
    /// </summary>
    public static ArchivedSegment? FindNewest(IEnumerable<ArchivedSegment> segments, WalSegmentSize segmentSize, List<ArchivedSegment>? skipped = null,
        string? directory = null)
    {
        var candidates = segments.ToList();
        candidates.Sort((a, b) => IsNewer(a, b) ? -1 : IsNewer(b, a) ? 1 : 0);
        foreach (var s in candidates)
        {
            if (s.IsPartial || HoldsOneSegment(s, segmentSize, directory))
                return s;
            skipped?.Add(s);
        }

        return null;
    }

    private static bool HoldsOneSegment(ArchivedSegment s, WalSegmentSize segmentSize, string? directory)
    {
        if (s.Compression == CompressionAlgorithm.None)
            return s.Length == segmentSize.Bytes;
        if (directory is null)
            throw new ArgumentNullException(nameof(directory), "compressed segments are checked by reading them");
        try
        {
            return CompressedWal.ContentLength(Path.Combine(directory, s.FileName)) == segmentSize.Bytes;
        }
        catch (Exception e) when (CompressedWal.IsDamage(e))
        {
            return false;
        }
    }

    private static bool IsNewer(ArchivedSegment a, ArchivedSegment b) =>
        a.Segment != b.Segment ? a.Segment > b.Segment
        : a.Timeline != b.Timeline ? a.Timeline > b.Timeline
        : !a.IsPartial && b.IsPartial;
}

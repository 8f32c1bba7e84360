using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// Brings an archive's recovery target indexes up to date from its WAL (what <c>verify</c> does): every complete segment
/// without an index gets one, and every index there is compared with what the WAL says. Indexes are written as durably
/// as segments.
/// </summary>
internal static class ArchiveIndexer
{
    /// <summary>Indexes the complete segments of <paramref name="directory"/>; returns how many were written and checked, and what is wrong.</summary>
    /// <param name="directory">The archive directory.</param>
    /// <param name="damagedFiles">Files verification found errors in: they are not indexed (their WAL cannot be trusted).</param>
    /// <param name="sync">How the index files are made durable.</param>
    public static (int Written, int Checked, List<ArchiveFinding> Findings) Index(string directory, IReadOnlySet<string> damagedFiles, FileSync sync)
    {
        var findings = new List<ArchiveFinding>();
        var segments = new WalArchive(directory).GetSegments();
        if (segments.Count == 0)
            return (0, 0, findings);
        var size = new WalSegmentSize((int)(segments[0].End.Value - segments[0].Start.Value));
        var modes = !OperatingSystem.IsWindows() && (File.GetUnixFileMode(directory) & UnixFileMode.GroupRead) != 0 ? ArchiveFileModes.GroupRead : ArchiveFileModes.OwnerOnly;
        var store = new RecoveryTargetIndexStore(directory, modes, sync);
        var (written, checkedCount) = (0, 0);
        var complete = segments.Where(s => !s.IsPartial).ToList();
        foreach (var segment in complete)
        {
            if (damagedFiles.Contains(segment.Name))
                continue;
            var number = size.SegmentOf(segment.Start);
            // The segment before, in the same WAL history: this timeline's, else the newest older timeline's.
            var previous = complete.Where(s => size.SegmentOf(s.Start) == number - 1 && s.Timeline <= segment.Timeline && !damagedFiles.Contains(s.Name))
                .MaxBy(s => s.Timeline);
            var (events, whole) = SegmentEventReader.Read(previous is null ? [] : WalArchive.ReadSegment(previous), WalArchive.ReadSegment(segment),
                segment.Start, size);
            if (!whole)
                continue; // a record crossing in from a segment the archive lacks: an index would miss it
            var index = new RecoveryTargetIndex(segment.Timeline, segment.Start, size, events);
            RecoveryTargetIndex? stored;
            try
            {
                stored = store.TryRead(segment.SegmentName, size);
            }
            catch (InvalidDataException e)
            {
                findings.Add(new ArchiveFinding(ArchiveFindingSeverity.Warning, segment.SegmentName, null, $"{e.Message}; written again from the WAL"));
                stored = null;
            }

            if (stored is not null)
            {
                checkedCount++;
                if (stored.Events.SequenceEqual(index.Events))
                    continue;
                findings.Add(new ArchiveFinding(ArchiveFindingSeverity.Warning, segment.SegmentName, null,
                    $"its recovery target index lists {stored.Events.Count} events, the WAL {index.Events.Count}; written again from the WAL"));
            }

            try
            {
                store.Write(index);
                written++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A read-only archive can still be verified; pitr reads the events from the WAL where an index is missing.
                findings.Add(new ArchiveFinding(ArchiveFindingSeverity.Warning, RecoveryTargetIndexStore.DirectoryName, null,
                    $"could not write recovery target indexes: {e.Message}"));
                break;
            }
        }

        return (written, checkedCount, findings);
    }
}

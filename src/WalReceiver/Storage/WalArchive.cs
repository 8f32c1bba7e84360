using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// An archive directory as WalReceiver (or pg_receivewal) writes it, read back: its segment files and the WAL records in
/// them, whatever form each file has (plain, <c>.gz</c>, <c>.lz4</c>, <c>.zst</c>, complete or <c>.partial</c>).
/// </summary>
/// <remarks>
/// Reads only, and reads each file when asked, so it can look at the archive of a receiver that is still running: a
/// segment listed as <c>.partial</c> may be complete, and renamed, by the time it is read. The methods read local files
/// synchronously, as <see cref="File.ReadAllBytes(string)"/> does.
/// </remarks>
public sealed class WalArchive
{
    /// <summary>Opens the archive in <paramref name="directory"/>, which must exist.</summary>
    /// <exception cref="DirectoryNotFoundException">There is no such directory.</exception>
    public WalArchive(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!System.IO.Directory.Exists(directory))
            throw new DirectoryNotFoundException($"the archive directory \"{directory}\" does not exist");
        Directory = System.IO.Path.GetFullPath(directory);
    }

    /// <summary>The archive's directory, as a full path.</summary>
    public string Directory { get; }

    /// <summary>The segment files, in WAL order (timeline, then segment).</summary>
    /// <remarks>
    /// A segment's LSN range needs the cluster's segment size, which the first page of every segment states; a
    /// <c>.partial</c> that holds no WAL yet states none and is left out.
    /// </remarks>
    /// <exception cref="InvalidDataException">A complete segment does not start with a segment's page header.</exception>
    public IReadOnlyList<WalArchiveSegment> GetSegments()
    {
        var files = ArchiveInspector.SegmentFiles(Directory);
        var segments = new List<WalArchiveSegment>(files.Length);
        foreach (var path in files)
        {
            var name = System.IO.Path.GetFileName(path);
            var (stem, algorithm, partial) = CompressedWal.Split(name);
            if (CompressedWal.ReadLongHeader(path, algorithm) is not { } header || !WalSegmentSize.IsValid(header.SegmentSize))
            {
                if (partial)
                    continue;
                throw new InvalidDataException($"\"{path}\" does not start with a WAL segment's long page header");
            }

            var size = new WalSegmentSize((int)header.SegmentSize);
            if (!WalFileName.TryParse(stem, size, out var timeline, out var segment))
                throw new InvalidDataException($"\"{path}\" is not named like a segment of a cluster with {size} segments");
            var start = size.StartOfSegment(segment);
            segments.Add(new WalArchiveSegment(name, path, timeline, start, start + (ulong)size.Bytes, partial, CompressionSpecification.NameOf(algorithm)));
        }

        return segments;
    }

    /// <summary>The WAL bytes of <paramref name="segment"/>, decompressed: what the server has in <c>pg_wal</c> for it.</summary>
    public static byte[] ReadSegment(WalArchiveSegment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        return new SegmentFileReader().Read(segment.Path);
    }

    /// <summary>
    /// The records that start in <paramref name="segment"/>, in order, each with its CRC checked when the record is whole
    /// in this segment and the next one of the archive.
    /// </summary>
    /// <exception cref="InvalidDataException">The segment holds something the server cannot have written (a bad page header or record length).</exception>
    public static IReadOnlyList<WalRecordInfo> ReadRecords(WalArchiveSegment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        return Inspect(segment.Path, new SegmentFileReader());
    }

    /// <summary>Every record of every segment, in the order of <see cref="GetSegments"/>; one segment is in memory at a time.</summary>
    /// <exception cref="InvalidDataException">A segment holds something the server cannot have written.</exception>
    public IEnumerable<WalRecordInfo> ReadRecords()
    {
        var reader = new SegmentFileReader();
        foreach (var segment in GetSegments())
        {
            foreach (var record in Inspect(segment.Path, reader))
                yield return record;
        }
    }

    private static IReadOnlyList<WalRecordInfo> Inspect(string path, SegmentFileReader reader)
    {
        var inspection = ArchiveInspector.Inspect(path, reader);
        return inspection.Damaged
            ? throw new InvalidDataException($"\"{path}\": {inspection.End}")
            : inspection.Records;
    }
}

using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// Lists what is in an archive's segment files, one file at a time, whatever their form (plain, compressed, partial):
/// what <c>inspect</c> prints and <see cref="WalArchive"/> hands to a library's user.
/// </summary>
internal static class ArchiveInspector
{
    /// <summary>Whether <paramref name="name"/> is a segment file's name, in any of the forms an archive holds.</summary>
    public static bool IsSegmentFile(string name)
    {
        var stem = CompressedWal.Split(name).Stem;
        return stem.Length == WalFileName.Length && WalFileName.IsUpperHex(stem);
    }

    /// <summary>The segment files of <paramref name="directory"/>, in WAL order (timeline, then segment).</summary>
    public static string[] SegmentFiles(string directory) =>
        [.. Directory.GetFiles(directory).Where(f => IsSegmentFile(Path.GetFileName(f))).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Inspects the file at <paramref name="path"/>. A record that goes on into the next segment is finished from the next
    /// file of the same directory, in whichever form it is there; without one it is listed with its CRC unchecked.
    /// </summary>
    public static WalInspection Inspect(string path, SegmentFileReader reader)
    {
        byte[] bytes;
        try
        {
            bytes = reader.Read(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException || CompressedWal.IsDamage(e))
        {
            return new WalInspection(null, [], [], $"cannot read it: {e.Message}", Damaged: true);
        }

        var stem = CompressedWal.Split(Path.GetFileName(path)).Stem;
        if (!WalPageHeader.TryReadLong(bytes, out var header) || !WalSegmentSize.IsValid(header.SegmentSize))
            return WalSegmentInspector.Inspect(bytes, [], Lsn.Invalid); // says what is wrong with the header
        var size = new WalSegmentSize((int)header.SegmentSize);
        if (!WalFileName.TryParse(stem, size, out var timeline, out var segment))
            return new WalInspection((int)header.SegmentSize, [], [], $"the name is not a segment of a cluster with {size} segments", Damaged: true);

        var next = bytes.Length == size.Bytes ? ReadNext(Path.GetDirectoryName(path)!, WalFileName.Format(timeline, segment + 1, size), reader) : [];
        return WalSegmentInspector.Inspect(bytes, next, size.StartOfSegment(segment));
    }

    private static byte[] ReadNext(string directory, string stem, SegmentFileReader reader)
    {
        if (CompressedWal.FindStored(directory, stem, orPartial: true) is not { } next)
            return [];
        try
        {
            return reader.Read(next.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException || CompressedWal.IsDamage(e))
        {
            return []; // the record is then listed as unchecked; the next file's own listing says what is wrong
        }
    }
}

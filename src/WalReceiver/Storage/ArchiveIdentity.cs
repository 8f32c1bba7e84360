using System.Globalization;
using System.Text;
using WalReceiver.Diagnostics;
using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// Which cluster an archive belongs to: the system identifier, kept in <c>walreceiver.systemid</c> and, for archives
/// made by other tools, read from the long page header of a segment. An archive never takes another cluster's WAL.
/// </summary>
internal static class ArchiveIdentity
{
    /// <summary>The file that records the system identifier; restore_command and pg_receivewal ignore it.</summary>
    public const string FileName = "walreceiver.systemid";

    /// <summary>
    /// Checks that the archive in <paramref name="directory"/> belongs to the cluster <paramref name="systemId"/>; throws
    /// <see cref="FailureKind.ArchiveDamage"/> on a mismatch. Reads only.
    /// </summary>
    public static void Check(string directory, ulong systemId, ArchivedSegment? newest, WalSegmentSize segmentSize)
    {
        var marker = Path.Combine(directory, FileName);
        var (known, source) = File.Exists(marker)
            ? (ParseMarker(marker), $"recorded in {FileName}")
            : (newest is null ? null : ReadFromSegment(Path.Combine(directory, newest.FileName), segmentSize), $"in the page header of {newest?.FileName}");
        if (known is { } archived && archived != systemId)
            throw new WalReceiverException(FailureKind.ArchiveDamage,
                $"the archive \"{directory}\" belongs to the cluster with system identifier {archived} ({source}), but the server's " +
                $"system identifier is {systemId}. Refusing to mix another cluster's WAL into it: point the archiver at the right server " +
                "or use a new directory");
    }

    /// <summary>Records <paramref name="systemId"/> if the archive has no record yet; call after <see cref="Check"/>, when streaming starts.</summary>
    public static void Record(string directory, ulong systemId, ArchiveFileModes modes, FileSync sync)
    {
        var marker = Path.Combine(directory, FileName);
        if (!File.Exists(marker))
            DurableFile.Write(marker, Encoding.ASCII.GetBytes(systemId.ToString(CultureInfo.InvariantCulture) + "\n"), modes, sync);
    }

    /// <summary>Reads <c>xlp_sysid</c> from a segment's first page; null when the file is too short or not a segment start.</summary>
    public static ulong? ReadFromSegment(string path, WalSegmentSize segmentSize)
    {
        WalPageHeader? header;
        try
        {
            header = CompressedWal.ReadLongHeader(path, CompressedWal.Split(Path.GetFileName(path)).Algorithm);
        }
        catch (Exception e) when (CompressedWal.IsDamage(e))
        {
            return null; // a damaged compressed file says nothing about the cluster
        }

        return header is { } h && h.SegmentSize == (uint)segmentSize.Bytes ? h.SystemId : null;
    }

    /// <summary>
    /// Parses the text of <see cref="FileName"/>: the decimal system identifier, surrounding white space allowed.
    /// </summary>
    public static bool TryParseMarker(string text, out ulong systemId) =>
        ulong.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out systemId);

    private static ulong ParseMarker(string path)
    {
        var text = File.ReadAllText(path);
        return TryParseMarker(text, out var id)
            ? id
            : throw new WalReceiverException(FailureKind.ArchiveDamage,
                $"\"{path}\" does not hold a system identifier (\"{text.Trim()}\"). Restore it, or delete it to let the archive's segments decide");
    }
}

using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// Where an archive keeps its recovery target indexes: one file per completed segment, named like the segment, in the
/// subdirectory <see cref="DirectoryName"/>, written as durably as the segments (temporary name, fsync, rename, fsync the
/// directory). A subdirectory, so that nothing that lists the archive's files (restore_command, pg_receivewal, a
/// <c>cp</c>) meets a file it does not know.
/// </summary>
internal sealed class RecoveryTargetIndexStore(string archiveDirectory, ArchiveFileModes modes, FileSync sync)
{
    /// <summary>The subdirectory of the archive that holds the index files.</summary>
    public const string DirectoryName = "walreceiver.targets";

    /// <summary>The directory of the index files.</summary>
    public string Directory { get; } = Path.Combine(archiveDirectory, DirectoryName);

    /// <summary>The index file of the segment <paramref name="segmentFileName"/>.</summary>
    public string PathOf(string segmentFileName) => Path.Combine(Directory, segmentFileName);

    /// <summary>
    /// Stores <paramref name="index"/>; an index already there is replaced only when it differs (it is a function of the
    /// WAL, so a difference means the older one was made from other bytes, and the newer ones are those archived).
    /// </summary>
    public void Write(RecoveryTargetIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        var bytes = RecoveryTargetIndexFile.Encode(index);
        var path = PathOf(index.SegmentFileName);
        if (!System.IO.Directory.Exists(Directory))
        {
            if (OperatingSystem.IsWindows())
                System.IO.Directory.CreateDirectory(Directory);
            else
                System.IO.Directory.CreateDirectory(Directory, modes.Directory);
            sync.Directory(archiveDirectory);
        }
        else if (File.Exists(path))
        {
            if (File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
                return;
            File.Delete(path);
        }

        DurableFile.Write(path, bytes, modes, sync);
    }

    /// <summary>The stored index of the segment <paramref name="segmentFileName"/>, or null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is damaged, or is not the index of that segment.</exception>
    public RecoveryTargetIndex? TryRead(string segmentFileName, WalSegmentSize segmentSize)
    {
        var path = PathOf(segmentFileName);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        RecoveryTargetIndex index;
        try
        {
            index = RecoveryTargetIndexFile.Decode(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"the recovery target index \"{path}\" is damaged: {e.Message}", e);
        }

        if (index.SegmentFileName != segmentFileName || index.SegmentSize != segmentSize)
            throw new InvalidDataException($"\"{path}\" is the index of {index.SegmentFileName} ({index.SegmentSize}), not of {segmentFileName} ({segmentSize})");
        return index;
    }
}

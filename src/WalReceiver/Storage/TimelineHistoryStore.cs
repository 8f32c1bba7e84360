using WalReceiver.Diagnostics;
using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>Keeps the servers' <c>%08X.history</c> files in the archive, where recovery looks for them.</summary>
internal static class TimelineHistoryStore
{
    /// <summary>
    /// Writes the history file of <paramref name="timeline"/> durably, before any WAL of that timeline is streamed. An
    /// existing file must have the same content: a different one means another history of the cluster.
    /// </summary>
    /// <returns>True if the file was written now.</returns>
    public static bool Store(string directory, uint timeline, byte[] content, ArchiveFileModes modes, FileSync sync)
    {
        var path = Path.Combine(directory, TimelineId.HistoryFileName(timeline));
        if (File.Exists(path))
        {
            if (File.ReadAllBytes(path).AsSpan().SequenceEqual(content))
                return false;
            throw new WalReceiverException(FailureKind.ArchiveDamage,
                $"the archive's \"{Path.GetFileName(path)}\" differs from the server's history of timeline {timeline}: the archive " +
                "followed another history of the cluster. Archive this server into a new directory");
        }

        DurableFile.Write(path, content, modes, sync);
        return true;
    }

    /// <summary>
    /// The archive's own history of <paramref name="timeline"/>, used only to explain a refusal: null for timeline 1, when
    /// the file is missing, or when it cannot be parsed (a damaged file is refused when the server's copy is stored).
    /// </summary>
    public static TimelineHistory? Read(string directory, uint timeline)
    {
        var path = Path.Combine(directory, TimelineId.HistoryFileName(timeline));
        try
        {
            return timeline > TimelineId.First && File.Exists(path) ? TimelineHistory.Parse(timeline, File.ReadAllText(path)) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

using Microsoft.Extensions.Logging;
using WalReceiver.Diagnostics;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.ObjectStorage;

/// <summary>
/// Keeps the newest <c>N</c> complete segments in the local archive and removes older ones, but only those whose upload
/// this process verified: a file the bucket may not hold is never removed.
/// </summary>
/// <remarks>
/// The newest segments stay so that a restart resumes from the local directory as before (the start planner reads the
/// newest file), and so that a recovery on this machine finds the most recent WAL without the bucket. Timeline history
/// files, the <c>.partial</c>, the manifest and the recovery target indexes are never removed: they are small. The
/// manifest keeps the lines of removed files (append-only, it is never rewritten); <c>verify -D</c> counts them in one line.
/// </remarks>
internal sealed class LocalRetention(string directory, int keep, FileSync sync, ILogger logger)
{
    private readonly HashSet<string> _uploaded = new(StringComparer.Ordinal);

    /// <summary>The smallest number of segments kept: the newest complete one is what a restart resumes after.</summary>
    public const int MinimumKept = 1;

    /// <summary>Notes that <paramref name="fileName"/> is in the bucket, then removes what the policy allows.</summary>
    public void Uploaded(string fileName)
    {
        if (!ArchiveInspector.IsSegmentFile(fileName) || CompressedWal.Split(fileName).IsPartial)
            return;
        _uploaded.Add(fileName);
        var complete = Directory.EnumerateFiles(directory).Select(Path.GetFileName).OfType<string>()
            .Where(n => ArchiveInspector.IsSegmentFile(n) && !CompressedWal.Split(n).IsPartial)
            .Order(WalPositionOrder.Instance)
            .ToList();
        var removed = 0;
        foreach (var name in complete.Take(Math.Max(0, complete.Count - keep)))
        {
            if (!_uploaded.Remove(name))
                continue;
            try
            {
                File.Delete(Path.Combine(directory, name));
                removed++;
                Log.LocalCopyRemoved(logger, name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.LocalCopyNotRemoved(logger, name, e.Message);
            }
        }

        if (removed == 0)
            return;
        try
        {
            sync.Directory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A removal that is not durable comes back after a crash as a file the bucket holds too: nothing is lost.
            Log.LocalCopyNotRemoved(logger, directory, e.Message);
        }
    }
}

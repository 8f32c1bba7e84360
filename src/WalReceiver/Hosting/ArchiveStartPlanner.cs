using System.Text;
using Microsoft.Extensions.Logging;
using WalReceiver.Diagnostics;
using WalReceiver.Replication;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Hosting;

/// <summary>
/// Plans where one attempt starts: reads the archive and asks the server (its slot, its timeline history) through
/// <see cref="IWalSource"/>, lets the pure planners decide (<see cref="StartPlanner"/>, <see cref="TimelinePlanner"/>), and
/// before any WAL is streamed records what the archive must hold first: the cluster's system identifier and the history
/// file of every timeline streaming will enter.
/// </summary>
internal sealed class ArchiveStartPlanner(WalReceiverOptions options, IWalSource source, ArchiveFileModes modes, FileSync sync, ILogger logger)
{
    /// <summary>Plans the start; failures are <see cref="WalReceiverException"/>s (disk errors are retryable, permissions are not).</summary>
    public async Task<StartPosition> PlanAsync(CancellationToken cancellationToken)
    {
        var identity = source.Identity;
        var segmentSize = identity.WalSegmentSize;
        var directory = options.Directory;
        var newest = OnDisk("could not read the archive", () =>
        {
            var skipped = new List<ArchivedSegment>();
            var found = WalDirectory.FindNewest(WalDirectory.Scan(directory, segmentSize), segmentSize, skipped, directory);
            foreach (var s in skipped)
                Log.SkippedBadSegment(logger, s.FileName, s.Length);
            ArchiveIdentity.Check(directory, identity.SystemId, found, segmentSize);
            return found;
        });

        var slotRestart = await ReadSlotAsync(newest is null, cancellationToken);
        var start = StartPlanner.Plan(newest, slotRestart, identity.XLogPos, identity.Timeline, segmentSize);
        // The history of the server's timeline names every ancestor; read once, it decides the timeline and is stored.
        var serverHistoryFile = identity.Timeline > TimelineId.First ? await source.TimelineHistoryAsync(identity.Timeline, cancellationToken) : null;
        var history = serverHistoryFile is null
            ? TimelineHistory.ForFirstTimeline
            : TimelineHistory.Parse(identity.Timeline, Encoding.ASCII.GetString(serverHistoryFile));
        start = TimelinePlanner.Resolve(start, newest, history, segmentSize, TimelineHistoryStore.Read(directory, start.Timeline));

        OnDisk("could not record the archive's system identifier", () =>
        {
            ArchiveIdentity.Record(directory, identity.SystemId, modes, sync);
            // A rename whose directory fsync failed in an earlier attempt is made durable (or fails) here, before the flush
            // position we report moves past that segment.
            sync.Directory(directory);
            return true;
        });
        await StoreHistoryFilesAsync(history, serverHistoryFile, start.Timeline, cancellationToken);
        return start;
    }

    private async Task<(Lsn Lsn, uint Timeline)?> ReadSlotAsync(bool archiveEmpty, CancellationToken cancellationToken)
    {
        if (options.Slot is not { } slot || !source.Identity.CanReadSlots)
            return null;
        var info = await source.ReadSlotAsync(slot, cancellationToken);
        if (info is null && options.CreateMissingSlot)
        {
            // After a failover the new primary has no copy of our slot (physical slots are not replicated in 15).
            await source.CreateSlotAsync(slot, cancellationToken);
            Log.SlotCreated(logger, slot, source.Identity.Host);
            info = await source.ReadSlotAsync(slot, cancellationToken);
        }

        if (info is null)
            throw new WalReceiverException(FailureKind.Configuration,
                $"replication slot \"{slot}\" does not exist. Create it with \"walreceiver receive --slot {slot} --create-slot\"");
        // As pg_receivewal: the slot decides only when the archive has nothing yet.
        return archiveEmpty && info.RestartLsn is { } lsn ? (lsn, info.RestartTimeline ?? 0) : null;
    }

    // Recovery with recovery_target_timeline = 'latest' finds the newest timeline through its history file, so each one
    // is in the archive before any of its WAL.
    private async Task StoreHistoryFilesAsync(TimelineHistory history, byte[]? serverHistoryFile, uint from, CancellationToken cancellationToken)
    {
        foreach (var timeline in history.Entries.Select(e => e.Timeline).Append(history.Timeline))
        {
            if (timeline <= TimelineId.First || timeline < from)
                continue;
            var content = timeline == history.Timeline ? serverHistoryFile! : await source.TimelineHistoryAsync(timeline, cancellationToken);
            if (OnDisk("could not store a timeline history file", () => TimelineHistoryStore.Store(options.Directory, timeline, content, modes, sync)))
                Log.HistoryFileWritten(logger, TimelineId.HistoryFileName(timeline));
        }
    }

    private T OnDisk<T>(string doing, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (ArchiveErrors.Classify(e, options.Directory, doing) is { } w && w != e)
        {
            throw w;
        }
    }
}

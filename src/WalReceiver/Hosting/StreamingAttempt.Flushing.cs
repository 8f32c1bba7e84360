using System.Text;
using WalReceiver.Diagnostics;
using WalReceiver.Replication;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Hosting;

/// <content>Flushing and reporting: the flush position we report never passes what an fsync has covered.</content>
internal sealed partial class StreamingAttempt
{
    private void FlushIfIdle(WalSegmentWriter writer)
    {
        if (!writer.HasUnflushed || _time.GetElapsedTime(Volatile.Read(ref _lastWriteTimestamp)) < _options.IdleFlushDelay)
            return;
        try
        {
            lock (writer.SyncRoot)
                writer.Flush();
            RecordFlushed(writer);
        }
        catch (IOException e)
        {
            // The loop finds the same failure at its next fsync; nothing is reported as flushed meanwhile.
            Log.AttemptFailed(_logger, $"could not fsync \"{writer.CurrentFileName}.partial\": {e.Message}");
            return;
        }

        if (_reportFlush)
        {
            _source.ReportedFlush = writer.FlushedUpTo;
            _ = SendStatusAsync(CancellationToken.None);
        }
    }

    private ulong _progressBytes;

    // While more than a segment behind: how far, how fast, and how long until caught up at this speed.
    private void LogProgress()
    {
        var written = BytesWritten;
        var rate = (written - _progressBytes) / _options.ProgressInterval.TotalSeconds;
        _progressBytes = written;
        if (_state.LagBytes is not { } behind || behind < _source.Identity.WalSegmentSize.Bytes)
            return;
        Log.CatchingUp(_logger, behind / 1048576.0, rate / 1048576.0, rate > 0 ? behind / rate : double.PositiveInfinity);
    }

    private void RecordFlushed(WalSegmentWriter writer) => _metrics?.Flushed(_options.Name, _state.Flush(writer.FlushedUpTo));

    private async Task FlushAndReportAsync(WalSegmentWriter writer, CancellationToken cancellationToken)
    {
        lock (writer.SyncRoot)
            writer.Flush();
        RecordFlushed(writer);
        if (_reportFlush)
        {
            _source.ReportedFlush = writer.FlushedUpTo;
            await SendStatusAsync(cancellationToken);
        }
    }

    private async Task FinalReportThenCancelAsync(WalSegmentWriter writer, CancellationTokenSource stream)
    {
        try
        {
            await FlushAndReportAsync(writer, CancellationToken.None);
        }
        catch (IOException e)
        {
            Log.AttemptFailed(_logger, $"could not fsync \"{writer.CurrentFileName}.partial\": {e.Message}");
        }
        finally
        {
            await stream.CancelAsync();
        }
    }

    private async Task SendStatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _source.SendStatusUpdateAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Feedback is best effort: a connection that is going away fails here and the loop sees why on its own.
            Log.StatusUpdateFailed(_logger, e.Message);
        }
    }

    private async Task<StartPosition> PlanStartAsync(ServerIdentity identity, CancellationToken cancellationToken)
    {
        var segmentSize = identity.WalSegmentSize;
        var skipped = new List<ArchivedSegment>();
        ArchivedSegment? newest;
        try
        {
            newest = WalDirectory.FindNewest(WalDirectory.Scan(_options.Directory, segmentSize), segmentSize, skipped);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WalReceiverException(FailureKind.Configuration, $"could not read directory \"{_options.Directory}\": {e.Message}", e);
        }

        foreach (var s in skipped)
            Log.SkippedBadSegment(_logger, s.FileName, s.Length);
        ArchiveIdentity.Check(_options.Directory, identity.SystemId, newest, segmentSize);
        (Lsn, uint)? slotRestart = null;
        if (_options.Slot is { } slot && identity.ServerVersion >= NpgsqlWalSource.FirstVersionWithReadReplicationSlot)
        {
            var info = await _source.ReadSlotAsync(slot, cancellationToken);
            if (info is null && _options.CreateMissingSlot)
            {
                // After a failover the new primary has no copy of our slot (physical slots are not replicated in 15).
                await _source.CreateSlotAsync(slot, cancellationToken);
                Log.SlotCreated(_logger, slot, identity.Host);
                info = await _source.ReadSlotAsync(slot, cancellationToken);
            }

            if (info is null)
                throw new WalReceiverException(FailureKind.Configuration,
                    $"replication slot \"{slot}\" does not exist. Create it with \"walreceiver receive --slot {slot} --create-slot\"");
            if (newest is null && info.RestartLsn is { } lsn)
                slotRestart = (lsn, info.RestartTimeline ?? 0);
        }

        var start = StartPlanner.Plan(newest, slotRestart, identity.XLogPos, identity.Timeline, segmentSize);
        var history = identity.Timeline > TimelineId.First
            ? TimelineHistory.Parse(identity.Timeline, Encoding.ASCII.GetString(await _source.TimelineHistoryAsync(identity.Timeline, cancellationToken)))
            : TimelineHistory.ForFirstTimeline;
        start = TimelinePlanner.Resolve(start, newest, history, segmentSize, ReadArchiveHistory(start.Timeline));
        ArchiveIdentity.Record(_options.Directory, identity.SystemId, _modes, !_options.NoSync);
        await StoreHistoryFilesAsync(history, start.Timeline, cancellationToken);
        return start;
    }

    private TimelineHistory? ReadArchiveHistory(uint timeline)
    {
        var path = Path.Combine(_options.Directory, TimelineId.HistoryFileName(timeline));
        try
        {
            return timeline > TimelineId.First && File.Exists(path) ? TimelineHistory.Parse(timeline, File.ReadAllText(path)) : null;
        }
        catch (FormatException)
        {
            return null; // only used to explain a refusal; a damaged file is refused when the server's copy is stored
        }
    }

    // Recovery with recovery_target_timeline = 'latest' finds the newest timeline through its history file, so each one
    // is in the archive before any of its WAL.
    private async Task StoreHistoryFilesAsync(TimelineHistory history, uint from, CancellationToken cancellationToken)
    {
        foreach (var timeline in history.Entries.Select(e => e.Timeline).Append(history.Timeline))
        {
            if (timeline <= TimelineId.First || timeline < from)
                continue;
            var content = await _source.TimelineHistoryAsync(timeline, cancellationToken);
            if (TimelineHistoryStore.Store(_options.Directory, timeline, content, _modes, !_options.NoSync))
                Log.HistoryFileWritten(_logger, TimelineId.HistoryFileName(timeline));
        }
    }

    private void CheckSynchronousCommit(ServerIdentity identity)
    {
        if (!_reportFlush || !string.Equals(identity.SynchronousCommit, "remote_write", StringComparison.OrdinalIgnoreCase)
            || !SynchronousStandbyNames.Lists(identity.SynchronousStandbyNames, identity.ApplicationName))
            return;
        Log.RemoteWriteUnsafe(_logger);
        throw new WalReceiverException(FailureKind.Configuration,
            $"refusing to stream: the server lists \"{identity.ApplicationName}\" in synchronous_standby_names with synchronous_commit = " +
            "remote_write, which would acknowledge commits before their WAL is on the archive's disk (the write position the server " +
            "sees is its own end of WAL). Set synchronous_commit = on and use --synchronous");
    }
}

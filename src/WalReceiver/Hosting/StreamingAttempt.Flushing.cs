using WalReceiver.Diagnostics;
using WalReceiver.Replication;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Hosting;

/// <content>
/// Flushing and reporting. The flush position we report never passes what an fsync has covered, and what arrived is
/// fsynced and reported when the stream pauses (<see cref="WalReceiverOptions.IdleFlushDelay"/>), when the oldest
/// unflushed byte gets older than <see cref="WalReceiverOptions.MaxUnflushedAge"/> although WAL keeps arriving, after every
/// batch with <c>--synchronous</c>, at each segment end, and at the end.
/// </content>
internal sealed partial class StreamingAttempt
{
    // Why we send a status update, as --trace prints it.
    private const string PauseReason = "flushed: the stream paused, or the oldest unflushed byte reached its age limit";
    private const string AgeReason = "flushed: WAL keeps arriving and the oldest unflushed byte reached its age limit";
    private const string SynchronousBatchReason = "flushed: --synchronous, after the batch that arrived together";
    private const string SegmentCompletedReason = "a segment was completed and fsynced";
    private const string StopReason = "stopping: the last position on disk";
    private const string EndPositionReason = "the end position was reached: the last position on disk";
    private const string UploadedReason = "--durability uploaded: a segment reached the bucket";

    private long _lastWrite;
    private long _unflushedSince;
    private bool _reportPending;
    private ulong _progressBytes;

    // Time until a flush is due (zero or less: now), or null when nothing waits. Without the idle rule, only the age counts.
    private TimeSpan? FlushDue(WalSegmentWriter writer, bool idle = true)
    {
        if (!writer.HasUnflushed)
            return null;
        var age = _options.MaxUnflushedAge - _time.GetElapsedTime(_unflushedSince);
        if (!idle)
            return age;
        var pause = _options.IdleFlushDelay - _time.GetElapsedTime(_lastWrite);
        return pause < age ? pause : age;
    }

    private async Task FlushAndReportAsync(WalSegmentWriter writer, string reason)
    {
        writer.Flush();
        RecordFlushed(writer);
        if (_reportFlush)
        {
            _source.ReportedFlush = Reported(writer);
            await SendStatusAsync(reason);
        }
    }

    private async Task SendStatusAsync(string reason)
    {
        _reportPending = false;
        if (_trace is not null)
            ProtocolTrace.StatusReason = reason; // read by the trace when Npgsql says the update went out
        try
        {
            await _source.SendStatusUpdateAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Feedback is best effort: a connection that is going away fails here and the loop sees why on its own.
            Log.StatusUpdateFailed(_logger, e.Message);
        }
    }

    // With --durability uploaded, the flushed position capped at the start of the earliest segment the bucket does not
    // have yet: the open segment (a .partial is never uploaded) or one completed and still queued. Without, unchanged.
    private Lsn Reportable(Lsn flushed)
    {
        if (!_reportUploaded)
            return flushed;
        var size = _source.Identity.WalSegmentSize;
        var bound = size.StartOf(flushed);
        if (_uploads!.OldestPendingSegment is { } stem && WalFileName.TryParse(stem, size, out _, out var segment)
            && size.StartOfSegment(segment) < bound)
            bound = size.StartOfSegment(segment);
        return bound < flushed ? bound : flushed;
    }

    // Raised on the uploading task: the loop looks on its own thread.
    private void OnUploaded()
    {
        Volatile.Write(ref _uploadsAdvanced, 1);
        _wake.SetLater();
    }

    // After an upload, the position the slot may release can move on: tell the server now, not at the next keepalive.
    private async Task ReportUploadsAsync(WalSegmentWriter writer)
    {
        // Called after every message: without --durability uploaded it is one field test.
        if (!_reportUploaded || !_reportFlush || Interlocked.Exchange(ref _uploadsAdvanced, 0) == 0)
            return;
        var reported = Reported(writer);
        if (reported <= _source.ReportedFlush)
            return;
        _source.ReportedFlush = reported;
        await SendStatusAsync(UploadedReason);
    }

    // The state is updated whether or not metrics are kept: the library's WaitForFlushAsync and health read it.
    private void RecordFlushed(WalSegmentWriter writer)
    {
        var advanced = _state.Flush(Flushed(writer));
        _metrics?.Flushed(_options.Name, advanced);
    }

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

    private void CheckSynchronousCommit(ServerIdentity identity)
    {
        if (_reportUploaded && _reportFlush
            && (_options.Synchronous || SynchronousStandbyNames.Lists(identity.SynchronousStandbyNames, identity.ApplicationName)))
            Log.UploadedSynchronousStandby(_logger);
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

using WalReceiver.ObjectStorage;
using Microsoft.Extensions.Logging;
using WalReceiver.Diagnostics;
using WalReceiver.Replication;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Hosting;

/// <summary>
/// One connection's worth of streaming: plan the start, stream into the segment writer, flush and report honestly, and
/// leave the archive consistent however it ends.
/// </summary>
/// <remarks>
/// One loop does everything that touches the writer and the connection: write what arrived, and while the next message
/// is awaited, flush (the stream paused, or unflushed WAL got old, or <c>--synchronous</c>), report, and stop when asked.
/// Nothing else writes, fsyncs or sends, so a failure anywhere surfaces in the loop and ends the attempt.
/// </remarks>
internal sealed partial class StreamingAttempt
{
    private readonly WalReceiverOptions _options;
    private readonly IWalSource _source;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lsn _endPosition;
    private readonly bool _reportFlush;
    private readonly ArchiveFileModes _modes;
    private readonly FileSync _sync;
    private readonly CompressionSpecification _compression;
    private readonly SourceState _state;
    private readonly WalReceiverMetrics? _metrics;
    private readonly WakeSignal _wake = new();
    private WalSegmentWriter? _writer;
    private WalStreamVerifier? _verifier;
    private ProtocolTrace? _trace;
    private RecoveryTargetRecorder? _targets;
    private readonly UploadQueue? _uploads;
    private readonly List<(ulong Segment, string FileName)> _completedSegments = [];
    private readonly bool _reportUploaded;

    // Within the stop's 30 s: this wait, then the service's drain of what is left (WalStreamingService.UploadDrain).
    private static readonly TimeSpan UploadWaitAtStop = TimeSpan.FromSeconds(10);
    private int _uploadsAdvanced;

    /// <summary>Creates an attempt over an open connection.</summary>
    public StreamingAttempt(WalReceiverOptions options, IWalSource source, TimeProvider time, ILogger logger, SourceState? state = null,
        WalReceiverMetrics? metrics = null, FileSync? sync = null, UploadQueue? uploads = null)
    {
        _uploads = uploads;
        _state = state ?? new SourceState(options.Name, time);
        _metrics = metrics;
        _options = options;
        _source = source;
        _time = time;
        _logger = logger;
        _endPosition = options.EndPosition is { } e ? Lsn.Parse(e) : Lsn.Invalid;
        // As pg_receivewal: flush is reported only with a slot or --synchronous. Without either, reporting it would make
        // us eligible as a synchronous standby that nobody asked for.
        _reportFlush = options.Slot is not null || options.Synchronous;
        _reportUploaded = options.Durability == DurabilityMode.Uploaded && uploads is not null;
        _modes = ArchiveFileModes.FromDataDirectoryMode(source.Identity.DataDirectoryMode);
        _sync = sync ?? (options.NoSync ? FileSync.None : FileSync.Disk);
        _compression = CompressionSpecification.Parse(options.Compression);
    }

    /// <summary>Bytes written in this attempt.</summary>
    public ulong BytesWritten { get; private set; }

    /// <summary>The end of what this attempt wrote (invalid before streaming started): the supervisor's measure of progress.</summary>
    public Lsn WrittenUpTo => _writer?.WrittenUpTo ?? Lsn.Invalid;

    /// <summary>Runs until stopped, the end position, or the end of the stream; failures throw <see cref="WalReceiverException"/>.</summary>
    public async Task<AttemptResult> RunAsync(CancellationToken stoppingToken)
    {
        var identity = _source.Identity;
        Log.Connected(_logger, identity.ServerVersion, identity.SystemId, identity.Timeline, identity.XLogPos, identity.WalSegmentSize);
        CheckSynchronousCommit(identity);
        var start = await new ArchiveStartPlanner(_options, _source, _modes, _sync, _logger).PlanAsync(stoppingToken);
        if (_endPosition.IsValid && _endPosition <= start.Lsn)
        {
            Log.EndPositionReached(_logger, start.Lsn, start.Timeline, _endPosition);
            return AttemptResult.EndPositionReached;
        }

        Log.StartingStream(_logger, start.Lsn, start.Timeline, start.Source.ToString());
        using var writer = new WalSegmentWriter(_options.Directory, identity.WalSegmentSize, start.Timeline, start.Lsn, _modes, _sync, _compression,
            preallocate: _options.Synchronous);
        writer.SegmentCompleted += OnSegmentCompleted;
        if (_metrics is { } metrics)
            writer.FsyncObserved = d => metrics.Fsync(_options.Name, d);
        _writer = writer;
        // Every page header and record CRC is checked before its bytes are written; see Write and Flushed.
        _verifier = _options.Verify
            ? new WalStreamVerifier(identity.WalSegmentSize, identity.SystemId, start.Timeline, start.Lsn, WalPageMagic.ForMajorVersion(identity.ServerVersion.Major))
            : null;
        _uploads?.EnqueueArchive(_options.Directory); // a history file the planning just wrote
        _targets = WalPageMagic.ForMajorVersion(identity.ServerVersion.Major) is { } magic
            ? RecoveryTargetRecorder.Start(_options.Directory, identity.WalSegmentSize, magic, start.Timeline, start.Lsn, _modes, _sync)
            : null;
        _state.Flush(start.Lsn);
        _state.SetStatus(SourceStatus.Streaming);
        if (_reportFlush)
            _source.ReportedFlush = Reportable(start.Lsn); // everything before the start is archived (or was never ours to keep)
        AttemptResult result;
        if (_reportUploaded)
            _uploads!.Uploaded += OnUploaded;
        try
        {
            result = await StreamAsync(writer, start, stoppingToken);
            Close(writer);
        }
        catch (Exception e) when (e is not WalReceiverException { IsDurabilityFailure: true })
        {
            CloseAfterFailure(writer);
            if (ArchiveErrors.Classify(e, _options.Directory, "could not write WAL") is { } w && w != e)
                throw w;
            throw;
        }
        finally
        {
            if (_reportUploaded)
                _uploads!.Uploaded -= OnUploaded;
            // Allocation figures make a per-message allocation in the streaming loop visible in any -v run.
            if (_logger.IsEnabled(LogLevel.Debug))
                Log.AttemptSummary(_logger, BytesWritten, GC.GetTotalAllocatedBytes(), GC.CollectionCount(0));
        }

        return result;
    }

    private async Task<AttemptResult> StreamAsync(WalSegmentWriter writer, StartPosition start, CancellationToken stoppingToken)
    {
        using var streamCts = new CancellationTokenSource();
        using var trace = _options.Trace ? new ProtocolTrace(_logger, _time) : null;
        // Everything that runs in this flow sees it: Npgsql's reads, the status updates sent, and the timers Npgsql starts.
        ProtocolTrace.Current = _trace = trace;
        // The host cancels on its own thread; the loop's stop work runs on ours.
        await using var stopRegistration = stoppingToken.UnsafeRegister(static s => ((WakeSignal)s!).SetLater(), _wake);
        await using var flushTimer = _time.CreateTimer(static s => ((WakeSignal)s!).Set(), _wake, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        await using var progressTimer = _options.LogProgress
            ? _time.CreateTimer(_ => LogProgress(), null, _options.ProgressInterval, _options.ProgressInterval)
            : null;
        var chunks = _source.StreamAsync(_options.Slot, start.Lsn, start.Timeline, streamCts.Token).GetAsyncEnumerator(streamCts.Token);
        var next = new PendingRead(_wake);
        try
        {
            while (true)
            {
                next.Start(chunks.MoveNextAsync());
                if (!next.IsCompleted)
                {
                    // The stream paused: the moment to make what arrived durable while the next read is under way.
                    if (_options.Synchronous && writer.HasUnflushed)
                        await FlushAndReportAsync(writer, SynchronousBatchReason); // one fsync per batch that arrived together
                    while (!next.IsCompleted)
                    {
                        if (stoppingToken.IsCancellationRequested)
                            return await FinishAsync(writer, AttemptResult.Stopped);
                        await ReportUploadsAsync(writer);
                        if (FlushDue(writer) is not { } due)
                            flushTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                        else if (due <= TimeSpan.Zero)
                        {
                            await FlushAndReportAsync(writer, PauseReason);
                            continue;
                        }
                        else
                            flushTimer.Change(due, Timeout.InfiniteTimeSpan);

                        await next.WaitAsync();
                    }
                }

                if (!next.Result())
                {
                    Log.StreamEnded(_logger, writer.WrittenUpTo, writer.Timeline);
                    return AttemptResult.StreamEnded;
                }

                Write(writer, chunks.Current);
                await ReportUploadsAsync(writer);
                if (_reportPending)
                    await SendStatusAsync(SegmentCompletedReason);
                if (FlushDue(writer, idle: false) <= TimeSpan.Zero)
                    await FlushAndReportAsync(writer, AgeReason); // WAL that keeps trickling in still reaches the disk every MaxUnflushedAge
                if (stoppingToken.IsCancellationRequested)
                    return await FinishAsync(writer, AttemptResult.Stopped);
                if (_endPosition.IsValid && writer.ReceivedUpTo >= _endPosition)
                    return await FinishAsync(writer, AttemptResult.EndPositionReached);
            }
        }
        finally
        {
            // End the stream (CopyDone, or a broken connection): a read still under way is cancelled and awaited before the
            // enumerator is disposed, which Npgsql and the compiler's iterators both require.
            flushTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            await streamCts.CancelAsync();
            await next.DrainAsync();
            try
            {
                await chunks.DisposeAsync();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Log.StatusUpdateFailed(_logger, $"closing the stream: {e.Message}");
            }
        }
    }

    private void Write(WalSegmentWriter writer, WalChunk chunk)
    {
        var hadUnflushed = writer.HasUnflushed;
        writer.Write(chunk.Start, chunk.Data.Span, Verify(writer, chunk));
        RecordTargets(chunk, _source.Identity.WalSegmentSize);
        var now = _time.GetTimestamp();
        _lastWrite = now;
        if (!hadUnflushed && writer.HasUnflushed)
            _unflushedSince = now;
        BytesWritten += (ulong)chunk.Data.Length;
        _metrics?.Received(_options.Name, chunk.Data.Length);
        _state.SetServerEnd(_source.ServerWalEnd);
    }

    // Checks the chunk before any of it is written; returns how far the stream is verified. A chunk that does not follow
    // on is left to the writer, which refuses it.
    private Lsn Verify(WalSegmentWriter writer, WalChunk chunk)
    {
        if (_verifier is not { } verifier)
            return new Lsn(ulong.MaxValue);
        if (chunk.Start != verifier.Position)
            return verifier.VerifiedUpTo;
        var before = verifier.RecordsChecked;
        var problem = verifier.Append(chunk.Start, chunk.Data.Span);
        _metrics?.RecordsVerified(_options.Name, verifier.RecordsChecked - before);
        if (problem is null)
            return verifier.VerifiedUpTo;
        _metrics?.VerificationFailed(_options.Name);
        throw new WalReceiverException(FailureKind.Transient,
            $"WAL from the server failed verification {problem}. Nothing from that record on was archived as complete or reported " +
            $"flushed; streaming {writer.PartialFileName} again from the start of its segment");
    }

    // What is on disk, and verified: the archive's flushed position.
    private Lsn Flushed(WalSegmentWriter writer)
    {
        var flushed = writer.FlushedUpTo;
        return _verifier is { } v && v.VerifiedUpTo < flushed ? v.VerifiedUpTo : flushed;
    }

    // What may be reported to the server as flushed: see Reportable.
    private Lsn Reported(WalSegmentWriter writer) => Reportable(Flushed(writer));

    // A stop or the end position: the .partial is closed cleanly (padded, fsynced) and our last position reported while
    // the stream is still open, so the slot holds exactly what is on disk; then the stream is ended.
    private async Task<AttemptResult> FinishAsync(WalSegmentWriter writer, AttemptResult result)
    {
        Close(writer);
        RecordFlushed(writer);
        // With --durability uploaded the last position is what reached the bucket: give the queue a moment, so that the
        // slot is left where the bucket ends rather than a segment or two behind (the rest is reported at the next start).
        if (_reportUploaded && _reportFlush)
            await _uploads!.WaitForIdleAsync(UploadWaitAtStop);
        if (_reportFlush)
        {
            _source.ReportedFlush = Reported(writer);
            await SendStatusAsync(result == AttemptResult.Stopped ? StopReason : EndPositionReason);
        }

        if (result == AttemptResult.Stopped)
        {
            _state.SetStatus(SourceStatus.Stopped);
            Log.Stopped(_logger, writer.WrittenUpTo, writer.Timeline);
        }
        else
        {
            Log.EndPositionReached(_logger, writer.WrittenUpTo, writer.Timeline, _endPosition);
        }

        return result;
    }

    private void Close(WalSegmentWriter writer)
    {
        var open = writer.HasOpenSegment;
        var name = writer.PartialFileName;
        writer.Close();
        if (open)
            Log.PartialKept(_logger, name, writer.WrittenUpTo);
    }

    // The attempt already failed: close what can be closed, and say (without hiding the first failure) if that fails too.
    private void CloseAfterFailure(WalSegmentWriter writer)
    {
        try
        {
            Close(writer);
        }
        catch (Exception e) when (e is WalReceiverException or IOException or UnauthorizedAccessException)
        {
            Log.AttemptFailed(_logger, $"could not close \"{writer.PartialFileName}\" cleanly: {e.Message}");
        }
    }

    // The segments completed by a write get their recovery target index once the scanner has read that write too.
    private void RecordTargets(WalChunk chunk, WalSegmentSize size)
    {
        if (_targets is not { } targets)
            return;
        try
        {
            if (chunk.Start == targets.Position)
                targets.Append(chunk.Start, chunk.Data.Span);
        }
        catch (FormatException e)
        {
            Log.TargetIndexNotWritten(_logger, "from here on", e.Message);
            _targets = null;
            return;
        }

        while (_completedSegments.Count > 0 && targets.Position >= size.StartOfSegment(_completedSegments[0].Segment + 1))
        {
            var (segment, fileName) = _completedSegments[0];
            _completedSegments.RemoveAt(0);
            try
            {
                if (targets.SegmentCompleted(segment) is { } reason)
                    Log.TargetIndexSkipped(_logger, fileName, reason);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The segment is safe; only its index is missing, which verify and pitr make good from the WAL.
                Log.TargetIndexNotWritten(_logger, fileName, e.Message);
            }
        }
    }

    private void OnSegmentCompleted(string fileName)
    {
        var writer = _writer!;
        _uploads?.Enqueue(Path.Combine(_options.Directory, fileName));
        if (_targets is not null && WalFileName.TryParse(CompressedWal.Split(fileName).Stem, _source.Identity.WalSegmentSize, out _, out var segment))
            _completedSegments.Add((segment, fileName));
        _metrics?.SegmentCompleted(_options.Name);
        RecordFlushed(writer);
        var level = _options.Verbose ? LogLevel.Information : LogLevel.Debug;
        if (_logger.IsEnabled(level))
            Log.SegmentCompleted(_logger, level, fileName, writer.WrittenUpTo, writer.Timeline);
        if (_reportFlush)
        {
            _source.ReportedFlush = Reported(writer);
            _reportPending = true;
        }
    }
}

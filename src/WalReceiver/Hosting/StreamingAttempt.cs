using Microsoft.Extensions.Logging;
using WalReceiver.Diagnostics;
using WalReceiver.Replication;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Hosting;

/// <summary>
/// One connection's worth of streaming: plan the start from the archive, stream into the segment writer, flush and
/// report honestly, and leave the archive consistent however it ends.
/// </summary>
internal sealed partial class StreamingAttempt
{
    private readonly WalReceiverOptions _options;
    private readonly IWalSource _source;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lsn _endPosition;
    private readonly bool _reportFlush;
    private readonly ArchiveFileModes _modes;
    private WalSegmentWriter? _writer;
    private long _lastWriteTimestamp;
    private int _flushPending;

    private readonly SourceState _state;
    private readonly WalReceiverMetrics? _metrics;

    /// <summary>Creates an attempt over an open connection.</summary>
    public StreamingAttempt(WalReceiverOptions options, IWalSource source, TimeProvider time, ILogger logger, SourceState? state = null,
        WalReceiverMetrics? metrics = null)
    {
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
        _modes = ArchiveFileModes.FromDataDirectoryMode(source.Identity.DataDirectoryMode);
    }

    /// <summary>Bytes written in this attempt; the supervisor resets its backoff when an attempt made progress.</summary>
    public ulong BytesWritten { get; private set; }

    /// <summary>Runs until stopped, the end position, or the end of the stream; failures throw <see cref="WalReceiverException"/>.</summary>
    public async Task<AttemptResult> RunAsync(CancellationToken stoppingToken)
    {
        var identity = _source.Identity;
        Log.Connected(_logger, identity.ServerVersion, identity.SystemId, identity.Timeline, identity.XLogPos,
            identity.WalSegmentSize);
        CheckSynchronousCommit(identity);
        var start = await PlanStartAsync(identity, stoppingToken);
        if (_endPosition.IsValid && _endPosition <= start.Lsn)
        {
            Log.EndPositionReached(_logger, start.Lsn, start.Timeline, _endPosition);
            return AttemptResult.EndPositionReached;
        }

        Log.StartingStream(_logger, start.Lsn, start.Timeline, start.Source.ToString());
        var writer = new WalSegmentWriter(_options.Directory, identity.WalSegmentSize, start.Timeline, start.Lsn,
            _modes, sync: !_options.NoSync);
        writer.SegmentCompleted += OnSegmentCompleted;
        if (_metrics is { } metrics)
            writer.FsyncObserved = d => metrics.Fsync(_options.Name, d);
        _writer = writer;
        _state.Flush(start.Lsn);
        _state.SetStatus(SourceStatus.Streaming);
        if (_reportFlush)
            _source.ReportedFlush = start.Lsn; // everything before the start is archived (or was never ours to keep)
        try
        {
            return await StreamAsync(writer, start, stoppingToken);
        }
        finally
        {
            lock (writer.SyncRoot)
            {
                var open = writer.HasOpenSegment;
                try
                {
                    writer.Close();
                }
                catch (IOException e)
                {
                    Log.AttemptFailed(_logger, $"could not close \"{writer.CurrentFileName}.partial\": {e.Message}");
                }

                if (open)
                    Log.PartialKept(_logger, writer.CurrentFileName, writer.WrittenUpTo);
            }

            // Allocation figures make a per-message allocation in the streaming loop visible in any -v run.
            if (_logger.IsEnabled(LogLevel.Debug))
                Log.AttemptSummary(_logger, BytesWritten, GC.GetTotalAllocatedBytes(), GC.CollectionCount(0));
        }
    }

    private async Task<AttemptResult> StreamAsync(WalSegmentWriter writer, StartPosition start, CancellationToken stoppingToken)
    {
        using var streamCts = new CancellationTokenSource();
        // The idle flusher: pg_receivewal fsyncs before answering the server's reply requests; Npgsql answers them for us
        // with LastFlushedLsn, so keep that current by flushing whenever the stream pauses.
        await using var idleTimer = _time.CreateTimer(_ => FlushIfIdle(writer), null, _options.IdleFlushDelay, _options.IdleFlushDelay);
        await using var progressTimer = _options.LogProgress
            ? _time.CreateTimer(_ => LogProgress(), null, _options.ProgressInterval, _options.ProgressInterval)
            : null;
        // On stop: flush and report while the stream is still open (the server's slot gets our last position), then end it.
        await using var stopRegistration = stoppingToken.UnsafeRegister(_ => _ = FinalReportThenCancelAsync(writer, streamCts), null);
        var chunks = _source.StreamAsync(_options.Slot, start.Lsn, start.Timeline, streamCts.Token).GetAsyncEnumerator(streamCts.Token);
        try
        {
            while (true)
            {
                var next = chunks.MoveNextAsync();
                if (!next.IsCompleted && _options.Synchronous && writer.HasUnflushed)
                    await FlushAndReportAsync(writer, stoppingToken); // one fsync per batch that arrived together
                if (!await next)
                {
                    Log.StreamEnded(_logger, writer.WrittenUpTo, writer.Timeline);
                    return AttemptResult.StreamEnded;
                }

                var chunk = chunks.Current;
                lock (writer.SyncRoot)
                    writer.Write(chunk.Start, chunk.Data.Span);
                BytesWritten += (ulong)chunk.Data.Length;
                _metrics?.Received(_options.Name, chunk.Data.Length);
                _state.SetServerEnd(_source.ServerWalEnd);
                Volatile.Write(ref _lastWriteTimestamp, _time.GetTimestamp());
                if (Interlocked.Exchange(ref _flushPending, 0) == 1 && _reportFlush)
                    await SendStatusAsync(stoppingToken);
                if (_endPosition.IsValid && writer.WrittenUpTo >= _endPosition)
                {
                    await FinalReportThenCancelAsync(writer, streamCts);
                    Log.EndPositionReached(_logger, writer.WrittenUpTo, writer.Timeline, _endPosition);
                    return AttemptResult.EndPositionReached;
                }
            }
        }
        catch (Exception e) when (stoppingToken.IsCancellationRequested && e is OperationCanceledException or WalReceiverException)
        {
            _state.SetStatus(SourceStatus.Stopped);
            Log.Stopped(_logger, writer.WrittenUpTo, writer.Timeline);
            return AttemptResult.Stopped;
        }
        catch (Exception e) when (e is UnauthorizedAccessException)
        {
            throw new WalReceiverException(FailureKind.Configuration,
                $"cannot write to \"{_options.Directory}\": {e.Message}. Fix its owner or permissions", e);
        }
        catch (IOException e)
        {
            throw new WalReceiverException(FailureKind.Transient,
                $"could not write to \"{_options.Directory}\": {e.Message}. Streaming resumes after the problem (a full disk?) is fixed", e);
        }
        finally
        {
            await chunks.DisposeAsync(); // cancels the stream cleanly (CopyDone) if it is still open
        }
    }

    private void OnSegmentCompleted(string fileName)
    {
        var writer = _writer!;
        _metrics?.SegmentCompleted(_options.Name);
        RecordFlushed(writer);
        var level = _options.Verbose ? LogLevel.Information : LogLevel.Debug;
        if (_logger.IsEnabled(level))
            Log.SegmentCompleted(_logger, level, fileName, writer.WrittenUpTo, writer.Timeline);
        if (_reportFlush)
        {
            _source.ReportedFlush = writer.FlushedUpTo;
            Volatile.Write(ref _flushPending, 1);
        }
    }
}

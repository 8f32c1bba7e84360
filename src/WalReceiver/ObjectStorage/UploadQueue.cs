using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using WalReceiver.Diagnostics;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.ObjectStorage;

/// <summary>
/// Uploads the archive's completed files to the bucket, one at a time, in the order they were completed, on a task of
/// its own: the local copy is complete and fsynced first, and streaming never waits for the bucket.
/// </summary>
/// <remarks>
/// <para>A failed upload is tried again, the same file, after 1, 2, 4, 8, 16 and then every 30 s (each with up to a quarter
/// more, at random, so that several receivers do not retry in step), for as long as the process runs: the files behind it
/// wait, so the bucket always holds a prefix of the archive and <see cref="OldestPendingSegment"/> bounds what is safe to
/// call uploaded. What is not uploaded when the process stops is offered again at the next start (a file already in the
/// bucket costs a HEAD request). An object that exists with other content is never overwritten nor retried: the file stays
/// in the backlog, which makes health unhealthy, until an operator looks; so does a local file that no longer matches its
/// manifest line, which is never uploaded.</para>
/// <para>The backlog (files and bytes not uploaded yet) is kept on the source's state for metrics and health.</para>
/// </remarks>
internal sealed class UploadQueue : IAsyncDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly Channel<string> _paths = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private readonly HashSet<string> _offered = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _pending = new(StringComparer.Ordinal);
    private readonly HashSet<string> _refused = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _pendingSegments = new(WalPositionOrder.Instance); // stems, for OldestPendingSegment
    private readonly ObjectUploader _uploader;
    private readonly S3Location _location;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SourceState? _state;
    private readonly WalReceiverMetrics? _metrics;
    private readonly LocalRetention? _retention;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;
    private long _pendingBytes;

    /// <summary>Starts the uploading task.</summary>
    /// <param name="uploader">Uploads one file.</param>
    /// <param name="location">The bucket and prefix, for the log.</param>
    /// <param name="logger">Where uploads and failures are logged.</param>
    /// <param name="time">The clock of the backoff.</param>
    /// <param name="state">The source's state, which gets the backlog; null for none.</param>
    /// <param name="metrics">Upload latency, bytes and failures; null for none.</param>
    /// <param name="retention">Removes local copies once uploaded; null keeps them all.</param>
    public UploadQueue(ObjectUploader uploader, S3Location location, ILogger logger, TimeProvider time, SourceState? state = null,
        WalReceiverMetrics? metrics = null, LocalRetention? retention = null)
    {
        _uploader = uploader;
        _location = location;
        _logger = logger;
        _time = time;
        _state = state;
        _metrics = metrics;
        _retention = retention;
        _state?.SetUploadBacklog(0, 0);
        _worker = Task.Run(RunAsync);
    }

    /// <summary>
    /// Raised on the uploading task after a file reached the bucket (or was found there already); handlers must be quick
    /// and must not throw.
    /// </summary>
    public event Action? Uploaded;

    // Raised on the uploading task after a file was refused for good (for WaitForIdleAsync).
    private event Action? Refused;

    /// <summary>How many files wait to be uploaded (or are being uploaded, or were refused).</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
                return _pending.Count;
        }
    }

    /// <summary>
    /// The name (without a compression suffix) of the segment earliest in WAL that is offered and not yet in the bucket, or
    /// null when every segment offered is there. Names compare in WAL order from their ninth character on (the log and
    /// segment numbers), whatever the timeline.
    /// </summary>
    public string? OldestPendingSegment
    {
        get
        {
            // Read at every flush reported under --durability uploaded: the set keeps it O(log n) however long the backlog.
            lock (_lock)
                return _pendingSegments.Min;
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> until every file offered is in the bucket or refused (a conflict, a file
    /// removed or changed): nothing is left that a wait could still upload. Returns whether that happened in time.
    /// </summary>
    public async Task<bool> WaitForIdleAsync(TimeSpan timeout)
    {
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            lock (_lock)
            {
                if (_pending.Count == _refused.Count)
                    idle.TrySetResult();
            }
        }

        Uploaded += Check;
        Refused += Check;
        try
        {
            Check();
            await idle.Task.WaitAsync(timeout, _time);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            Uploaded -= Check;
            Refused -= Check;
        }
    }

    /// <summary>Offers the completed archive file <paramref name="path"/>; a file offered before is not offered again.</summary>
    public void Enqueue(string path)
    {
        var name = Path.GetFileName(path);
        long length;
        try
        {
            length = new FileInfo(path).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            length = 0; // the upload reports what is wrong with the file
        }

        lock (_lock)
        {
            if (!_offered.Add(name))
                return;
            _pending.Add(name, length);
            _pendingBytes += length;
            if (ArchiveInspector.IsSegmentFile(name))
                _pendingSegments.Add(CompressedWal.Split(name).Stem);
            _state?.SetUploadBacklog(_pending.Count, _pendingBytes);
        }

        _paths.Writer.TryWrite(path);
    }

    /// <summary>Offers every completed file of the archive in <paramref name="directory"/>: history files, then segments in WAL order.</summary>
    public void EnqueueArchive(string directory)
    {
        var names = Directory.EnumerateFiles(directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        foreach (var name in names.Where(n => TimelineId.TryParseHistoryFileName(n, out _)))
            Enqueue(Path.Combine(directory, name));
        foreach (var name in names.Where(n => ArchiveInspector.IsSegmentFile(n) && !CompressedWal.Split(n).IsPartial)
                     .Order(WalPositionOrder.Instance))
            Enqueue(Path.Combine(directory, name));
    }

    /// <summary>Waits up to <paramref name="drain"/> for the files offered to be uploaded, then stops; later calls do nothing.</summary>
    public async Task StopAsync(TimeSpan drain)
    {
        if (!_paths.Writer.TryComplete())
            return;
        try
        {
            await _worker.WaitAsync(drain, _time);
        }
        catch (TimeoutException)
        {
            await _stop.CancelAsync();
            await _worker.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        if (Pending > 0)
            Log.UploadsLeft(_logger, Pending);
    }

    /// <summary>Stops at once (what is still queued is uploaded at the next start).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var path in _paths.Reader.ReadAllAsync(_stop.Token))
            {
                if (!await UploadAsync(path))
                {
                    if (_stop.IsCancellationRequested)
                        break;
                    lock (_lock)
                        _refused.Add(Path.GetFileName(path));
                    Refused?.Invoke();
                    continue;
                }

                Done(Path.GetFileName(path));
                Uploaded?.Invoke();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // stopped: what is left is offered again at the next start
        }
    }

    private void Done(string name)
    {
        lock (_lock)
        {
            if (_pending.Remove(name, out var length))
                _pendingBytes -= length;
            if (ArchiveInspector.IsSegmentFile(name))
                _pendingSegments.Remove(CompressedWal.Split(name).Stem);
            _state?.SetUploadBacklog(_pending.Count, _pendingBytes);
        }

        _retention?.Uploaded(name);
    }

    // True when the file is in the bucket; false when it never will be from this process (refused, or stopping).
    private async Task<bool> UploadAsync(string path)
    {
        var name = Path.GetFileName(path);
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                if (await _uploader.UploadAsync(path, _stop.Token))
                {
                    var elapsed = Stopwatch.GetElapsedTime(started);
                    _metrics?.ObjectUploaded(_state?.Name ?? "", elapsed, new FileInfo(path).Length);
                    Log.ObjectUploaded(_logger, name, _location.ToString(), (long)elapsed.TotalMilliseconds);
                }

                return true;
            }
            catch (ObjectConflictException e)
            {
                _metrics?.UploadFailed(_state?.Name ?? "", "conflict");
                Log.UploadConflict(_logger, e.Message);
                return false;
            }
            catch (LocalFileChangedException e)
            {
                _metrics?.UploadFailed(_state?.Name ?? "", "changed");
                Log.UploadRefused(_logger, e.Message);
                return false;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                // Removed from the archive by someone else: no retry brings it back. It stays in the backlog (health says
                // so, and --durability uploaded keeps the slot holding that WAL on the server) until the next start.
                _metrics?.UploadFailed(_state?.Name ?? "", "missing");
                Log.UploadSourceMissing(_logger, name, e.Message);
                return false;
            }
            catch (Exception e) when (BucketErrors.IsRequestFailure(e) || e is OperationCanceledException)
            {
                // OperationCanceledException without a stop: the SDK's own request timeout.
                _metrics?.UploadFailed(_state?.Name ?? "", e.GetType().Name);
                var delay = Backoff(attempt);
                Log.UploadFailed(_logger, name, attempt, delay.TotalSeconds, e.Message);
                try
                {
                    await Task.Delay(delay, _time, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }
        }
    }

    // 1, 2, 4, 8, 16, then 30 s, each with up to a quarter more at random.
    private static TimeSpan Backoff(int attempt)
    {
        var delay = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, 1 << Math.Min(attempt - 1, 5)));
        return delay + (delay * (Random.Shared.NextDouble() / 4));
    }
}

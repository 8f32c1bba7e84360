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
/// A failed upload is tried again after 1, 2, 4 and 8 s (each with up to a quarter more, at random, so that several
/// receivers do not retry in step); after that it is left for the next start, which offers every completed file of the
/// archive again (one that is already in the bucket costs a HEAD request). An object that exists with other content is
/// never retried or overwritten, and a local file that no longer matches its manifest line is never uploaded.
/// </remarks>
internal sealed class UploadQueue : IAsyncDisposable
{
    private const int Attempts = 5;

    private readonly Channel<string> _paths = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<string> _offered = new(StringComparer.Ordinal);
    private readonly ObjectUploader _uploader;
    private readonly S3Location _location;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;
    private int _pending;

    /// <summary>Starts the uploading task.</summary>
    public UploadQueue(ObjectUploader uploader, S3Location location, ILogger logger, TimeProvider time)
    {
        _uploader = uploader;
        _location = location;
        _logger = logger;
        _time = time;
        _worker = Task.Run(RunAsync);
    }

    /// <summary>How many files wait to be uploaded (or are being uploaded).</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Offers the completed archive file <paramref name="path"/>; a file offered before is not offered again.</summary>
    public void Enqueue(string path)
    {
        lock (_offered)
        {
            if (!_offered.Add(Path.GetFileName(path)))
                return;
        }

        Interlocked.Increment(ref _pending);
        _paths.Writer.TryWrite(path);
    }

    /// <summary>Offers every completed file of the archive in <paramref name="directory"/>: history files, then segments in WAL order.</summary>
    public void EnqueueArchive(string directory)
    {
        var names = Directory.EnumerateFiles(directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        foreach (var name in names.Where(n => TimelineId.TryParseHistoryFileName(n, out _)))
            Enqueue(Path.Combine(directory, name));
        foreach (var name in names.Where(n => ArchiveInspector.IsSegmentFile(n) && !CompressedWal.Split(n).IsPartial))
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
        await foreach (var path in _paths.Reader.ReadAllAsync(_stop.Token))
        {
            await UploadAsync(path);
            Interlocked.Decrement(ref _pending);
        }
    }

    private async Task UploadAsync(string path)
    {
        var name = Path.GetFileName(path);
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                if (await _uploader.UploadAsync(path, _stop.Token))
                    Log.ObjectUploaded(_logger, name, _location.ToString(), (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                return;
            }
            catch (ObjectConflictException e)
            {
                Log.UploadConflict(_logger, e.Message);
                return;
            }
            catch (LocalFileChangedException e)
            {
                Log.UploadRefused(_logger, e.Message);
                return;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException or IOException)
            {
                Log.UploadFailed(_logger, name, attempt, Attempts, e.Message);
                if (attempt == Attempts)
                    return;
                var delay = TimeSpan.FromSeconds(1 << (attempt - 1));
                try
                {
                    await Task.Delay(delay + (delay * (Random.Shared.NextDouble() / 4)), _time, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}

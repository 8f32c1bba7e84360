using WalReceiver.ObjectStorage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WalReceiver.Diagnostics;
using WalReceiver.Replication;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Hosting;

/// <summary>
/// Supervises one source: lock its archive, connect, run one attempt, and on a transient failure back off (capped,
/// exponential) and go again from what is on disk. Failures no retry can fix end this source at once with their exit
/// code; in the daemon the other sources go on, and the host stops when the last one has ended.
/// </summary>
internal sealed class WalStreamingService(
    WalReceiverOptions options,
    IWalSourceFactory sources,
    TimeProvider time,
    RunOutcome outcome,
    RunCompletion completion,
    ILogger logger,
    SourceState state,
    WalReceiverMetrics? metrics) : BackgroundService
{
    // How long a slot may stay held after the server ended our stream before "in use" is treated like any other failure.
    // Npgsql closes the connection on the server's CopyDone; the walsender behind it releases the slot as it exits, a
    // moment later, and the next START_REPLICATION can arrive first.
    private static readonly TimeSpan SlotReleaseGrace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SlotReleasePoll = TimeSpan.FromMilliseconds(100);

    // How long a stop waits for the uploads still queued: within the 30 s the stop as a whole may take, after the
    // attempt's own wait of up to 10 s with --durability uploaded.
    private static readonly TimeSpan UploadDrain = TimeSpan.FromSeconds(15);

    // The furthest any attempt of this process has written: only an attempt that gets past it made progress.
    private Lsn _highWater;
    private UploadQueue? _uploads;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // One writer per archive, taken before anything in the directory is read or written.
            using var archiveLock = ArchiveLock.Acquire(options.Directory);
            _uploads = StartUploads();
            try
            {
                await SuperviseAsync(stoppingToken);
            }
            finally
            {
                // What was completed goes up before the process ends, within the stop's time; the rest at the next start.
                if (_uploads is not null)
                {
                    await _uploads.StopAsync(UploadDrain);
                    await _uploads.DisposeAsync();
                }
            }
        }
        catch (WalReceiverException e)
        {
            End(e, stoppingToken);
        }
        finally
        {
            if (state.Status != SourceStatus.Failed)
                state.SetStatus(SourceStatus.Stopped);
            completion.SourceEnded(stoppingToken.IsCancellationRequested);
        }
    }

    private async Task SuperviseAsync(CancellationToken stoppingToken)
    {
        var o = options;
        var delay = o.ReconnectDelay;
        var first = true;
        DateTimeOffset? slotReleaseDeadline = null; // set while the slot may still be held by the stream the server ended
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!first)
                metrics?.Reconnect(o.Name);
            first = false;
            var progressed = false;
            try
            {
                await using var source = await sources.ConnectAsync(stoppingToken);
                var attempt = new StreamingAttempt(o, source, time, logger, state, metrics, uploads: _uploads);
                AttemptResult result;
                try
                {
                    result = await attempt.RunAsync(stoppingToken);
                }
                finally
                {
                    progressed = Progressed(attempt.WrittenUpTo);
                }

                if (result != AttemptResult.StreamEnded)
                    return;
                if (progressed)
                {
                    // The server ended a stream that delivered new WAL: most often the end of a timeline. Plan again at once
                    // (also with -n, as pg_receivewal follows a timeline switch); a server that is gone fails the next connect.
                    delay = o.ReconnectDelay;
                    slotReleaseDeadline = time.GetUtcNow() + SlotReleaseGrace;
                    continue;
                }

                if (o.NoLoop)
                    throw new WalReceiverException(FailureKind.Transient, "replication stream was terminated before stop point (no reconnect with -n)");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (WalReceiverException e) when (stoppingToken.IsCancellationRequested && e.Kind == FailureKind.Transient && !e.IsDurabilityFailure)
            {
                return; // the connection going away is how a stop often looks from here
            }
            catch (WalReceiverException e) when (e.IsSlotInUse && time.GetUtcNow() < slotReleaseDeadline && !stoppingToken.IsCancellationRequested)
            {
                // Also with -n: pg_receivewal keeps its connection across a timeline switch and never meets this.
                Log.SlotStillHeld(logger, e.Message);
                try
                {
                    await Task.Delay(SlotReleasePoll, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }
            catch (WalReceiverException e) when (e.Kind == FailureKind.Transient && !o.NoLoop && !stoppingToken.IsCancellationRequested)
            {
                metrics?.Error(o.Name, e.Kind);
                state.SetStatus(SourceStatus.Reconnecting, e.Message);
                Log.AttemptFailed(logger, e.Message);
            }
            catch (Exception e) when (e is not WalReceiverException)
            {
                // A bug, not a server or disk condition: stop with a non-zero code and everything needed to report it
                // (the host would log it and exit 0: dotnet/runtime#67146). The log has the stack; health gets one line.
                Log.UnexpectedError(logger, e);
                throw new WalReceiverException(FailureKind.Transient, $"unexpected error, please report it: {e.GetType().Name}: {e.Message}", e);
            }

            if (progressed)
                delay = o.ReconnectDelay;
            state.SetStatus(SourceStatus.Reconnecting);
            Log.Reconnecting(logger, delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, o.MaxReconnectDelay.Ticks));
        }
    }

    private UploadQueue? StartUploads()
    {
        if (options.Target is not { } target || !S3Location.TryParse(target, out var location, out _))
            return null;
        // The region and keys of the configuration win over the environment's; without keys, the SDK's chain.
        var client = S3Clients.Create(options.Endpoint,
            name => name == "AWS_REGION" && options.Region is { } region ? region : Environment.GetEnvironmentVariable(name),
            options.AccessKeyId, options.SecretAccessKey);
        var retention = options.KeepLocal is { } keep
            ? new LocalRetention(options.Directory, keep, options.NoSync ? FileSync.None : FileSync.Disk, logger)
            : null;
        var uploader = new ObjectUploader(client, location, (name, etag) => Log.TornObjectReplaced(logger, location.ToString(), name, etag));
        var uploads = new UploadQueue(uploader, location, logger, time, state, metrics, retention);
        uploads.EnqueueArchive(options.Directory); // completed before this start and not uploaded then
        return uploads;
    }

    // An attempt that only streamed again what the archive already held (the .partial re-streamed from its start) is no
    // progress: a connection that fails right after that keeps backing off instead of reconnecting at full speed.
    private bool Progressed(Lsn written)
    {
        if (written <= _highWater)
            return false;
        _highWater = written;
        return true;
    }

    private void End(WalReceiverException e, CancellationToken stoppingToken)
    {
        metrics?.Error(options.Name, e.Kind);
        state.SetStatus(SourceStatus.Failed, e.Message);
        outcome.Record(e.Kind, e.Message);
        if (stoppingToken.IsCancellationRequested)
            outcome.StopFailed = true;
        Log.FatalError(logger, e.Message);
    }
}

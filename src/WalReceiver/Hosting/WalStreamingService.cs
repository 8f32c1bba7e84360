using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WalReceiver.Diagnostics;
using WalReceiver.Replication;

namespace WalReceiver.Hosting;

/// <summary>
/// Supervises one source: connect, run one attempt, and on a transient failure back off (capped, exponential) and go
/// again from what is on disk. Failures no retry can fix end this source at once with their exit code; in the daemon
/// the other sources go on (<paramref name="stopHostWhenDone"/> is false there).
/// </summary>
internal sealed class WalStreamingService(
    WalReceiverOptions options,
    IWalSourceFactory sources,
    TimeProvider time,
    RunOutcome outcome,
    IHostApplicationLifetime lifetime,
    ILogger logger,
    SourceState state,
    WalReceiverMetrics? metrics,
    bool stopHostWhenDone) : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await SuperviseAsync(stoppingToken);
        }
        finally
        {
            if (state.Status != SourceStatus.Failed)
                state.SetStatus(SourceStatus.Stopped);
            if (stopHostWhenDone)
                lifetime.StopApplication();
        }
    }

    private async Task SuperviseAsync(CancellationToken stoppingToken)
    {
        var o = options;
        var delay = o.ReconnectDelay;
        var first = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!first)
                metrics?.Reconnect(o.Name);
            first = false;
            ulong progress = 0;
            try
            {
                await using var source = await sources.ConnectAsync(stoppingToken);
                var attempt = new StreamingAttempt(o, source, time, logger, state, metrics);
                try
                {
                    var result = await attempt.RunAsync(stoppingToken);
                    if (result != AttemptResult.StreamEnded)
                        return;
                }
                finally
                {
                    progress = attempt.BytesWritten;
                }

                if (progress > 0)
                {
                    // The server ended a stream that delivered WAL: most often the end of a timeline. Plan again at once
                    // (also with -n, as pg_receivewal follows a timeline switch); a server that is gone fails the next connect.
                    delay = o.ReconnectDelay;
                    continue;
                }

                if (o.NoLoop)
                {
                    End(FailureKind.Transient, "replication stream was terminated before stop point (no reconnect with -n)");
                    return;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (WalReceiverException e) when (e.Kind == FailureKind.Transient && stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (WalReceiverException e) when (e.Kind != FailureKind.Transient || o.NoLoop)
            {
                End(e.Kind, e.Message);
                return;
            }
            catch (WalReceiverException e)
            {
                metrics?.Error(o.Name, e.Kind);
                state.SetStatus(SourceStatus.Reconnecting, e.Message);
                Log.AttemptFailed(logger, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A bug, not a server or disk condition: stop with a non-zero code and everything needed to report it
                // (the host would log it and exit 0: dotnet/runtime#67146).
                End(FailureKind.Transient, $"unexpected error, please report it: {e}");
                return;
            }

            if (progress > 0)
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

    private void End(FailureKind kind, string message)
    {
        metrics?.Error(options.Name, kind);
        state.SetStatus(SourceStatus.Failed, message);
        if (outcome.Kind == FailureKind.None)
        {
            outcome.Kind = kind;
            outcome.Message = message;
        }

        Log.FatalError(logger, message);
    }
}

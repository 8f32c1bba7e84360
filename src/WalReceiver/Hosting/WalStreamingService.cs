using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WalReceiver.Diagnostics;
using WalReceiver.Replication;

namespace WalReceiver.Hosting;

/// <summary>
/// Supervises streaming: connect, run one attempt, and on a transient failure back off (capped, exponential) and go
/// again from what is on disk. Failures no retry can fix end the run at once with their exit code.
/// </summary>
internal sealed class WalStreamingService(
    IOptions<WalReceiverOptions> options,
    IWalSourceFactory sources,
    TimeProvider time,
    RunOutcome outcome,
    IHostApplicationLifetime lifetime,
    ILogger<WalStreamingService> logger) : BackgroundService
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
            lifetime.StopApplication();
        }
    }

    private async Task SuperviseAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var delay = o.ReconnectDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            ulong progress = 0;
            try
            {
                await using var source = await sources.ConnectAsync(stoppingToken);
                var attempt = new StreamingAttempt(o, source, time, logger);
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
        outcome.Kind = kind;
        outcome.Message = message;
        Log.FatalError(logger, message);
    }
}

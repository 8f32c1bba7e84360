using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WalReceiver.Diagnostics;
using WalReceiver.Replication;

namespace WalReceiver.Hosting;

/// <summary>
/// Runs one source without the generic host: what <c>receive</c> needs, and no more. The host's service provider resolves
/// open generics (options, logging) at start-up, which under Native AOT means building those types at run time; for a
/// receive that finds nothing to do that was half of its wall time (perf over 30 runs, 37% of the process's samples).
/// The source runs the same supervisor as in the daemon; only the plumbing around it differs.
/// </summary>
internal static class HostlessRun
{
    /// <summary>How long a stop waits for the last write, fsync and status update; the host's default, said out loud.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The options' problems, as the host's validation on start would report them; empty when there are none.</summary>
    public static IReadOnlyList<string> Validate(WalReceiverOptions options) =>
        new WalReceiverOptionsValidator().Validate(Options.DefaultName, options) is { Failed: true } result
            ? [.. result.Failures ?? [result.FailureMessage]]
            : [];

    /// <summary>
    /// Streams until the source ends by itself (<c>--endpos</c>, a failure no retry fixes, <c>-n</c>) or
    /// <paramref name="stopRequested"/> fires; then stops it as the host would, and returns how the run ended.
    /// Call <see cref="Validate"/> first.
    /// </summary>
    public static Task<RunOutcome> RunAsync(WalReceiverOptions options, ILoggerFactory loggerFactory, CancellationToken stopRequested)
    {
        NpgsqlLogging.Initialize(loggerFactory);
        return RunAsync(options, ServiceCollectionExtensions.NpgsqlSources(options), loggerFactory.CreateLogger("WalReceiver"), ShutdownTimeout,
            stopRequested);
    }

    /// <summary>
    /// The same run with any source of WAL and any stop timeout (the tests' seam); <paramref name="state"/>, when given,
    /// is the one the run reports its status and flushed position to (the library's receiver watches it).
    /// </summary>
    internal static async Task<RunOutcome> RunAsync(WalReceiverOptions options, IWalSourceFactory sources, ILogger logger,
        TimeSpan shutdownTimeout, CancellationToken stopRequested, SourceState? state = null)
    {
        var outcome = new RunOutcome();
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var completion = new RunCompletion(() => ended.TrySetResult(), outcome, sources: 1);
        var time = TimeProvider.System;
        using var service = new WalStreamingService(options, sources, time, outcome, completion, logger,
            state ?? new SourceState(options.Name, time), metrics: null);
        await service.StartAsync(CancellationToken.None);
        using (stopRequested.Register(() => ended.TrySetResult()))
            await ended.Task;

        using var timeout = new CancellationTokenSource(shutdownTimeout, time);
        try
        {
            await service.StopAsync(timeout.Token); // returns when the supervisor has ended or the timeout fired
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }

        if (service.ExecuteTask is { IsCompleted: false })
        {
            // The last fsync did not return in time: what it held is not known to be on disk, so this is no clean stop.
            outcome.Record(FailureKind.Transient, $"the stream did not stop within {shutdownTimeout.TotalSeconds} s");
            outcome.StopFailed = true;
        }

        return outcome;
    }
}

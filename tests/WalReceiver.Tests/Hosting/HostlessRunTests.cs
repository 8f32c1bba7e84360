using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using WalReceiver.Diagnostics;
using WalReceiver.Hosting;
using WalReceiver.Replication;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Hosting;

/// <summary><c>receive</c>'s run without the host: it ends by itself, stops when asked, and says so when a stop hangs.</summary>
public sealed class HostlessRunTests
{
    private static readonly Lsn Start = Lsn.Parse("0/100000");
    private static readonly byte[] Wal = TestWal.Make(Start, 100_000, 3);

    [Fact]
    public async Task A_run_that_reaches_its_end_position_ends_by_itself_with_no_failure()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path, endPosition: Start + 20_000);
        var outcome = await HostlessRun.RunAsync(options, new Factory(() => new FakeWalSource(Wal, Start, 1000, FakeWalSource.MakeIdentity())),
            NullLogger.Instance, TimeSpan.FromSeconds(30), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(FailureKind.None, outcome.Kind);
        Assert.False(outcome.StopFailed);
    }

    [Fact]
    public async Task A_stop_asked_for_while_streaming_ends_with_no_failure_and_the_wal_kept()
    {
        using var dir = new TempDirectory();
        var source = new FakeWalSource(Wal[..30_000], Start, 1000, FakeWalSource.MakeIdentity()); // then idles
        using var stop = new CancellationTokenSource();
        var run = HostlessRun.RunAsync(Options(dir.Path), new Factory(() => source), NullLogger.Instance, TimeSpan.FromSeconds(30), stop.Token);
        await WaitUntilAsync(() => File.Exists(PartialPath(dir.Path)) && new FileInfo(PartialPath(dir.Path)).Length >= 30_000);
        await stop.CancelAsync();

        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(FailureKind.None, outcome.Kind);
        Assert.False(outcome.StopFailed);
        var partial = await File.ReadAllBytesAsync(PartialPath(dir.Path), TestContext.Current.CancellationToken);
        Assert.True(partial.AsSpan(0, 30_000).SequenceEqual(Wal.AsSpan(0, 30_000)), "the .partial does not hold what was received");
    }

    [Fact]
    public async Task A_stop_that_does_not_finish_in_time_is_a_failed_stop_not_a_clean_one()
    {
        using var dir = new TempDirectory();
        var stuck = new StuckSource();
        using var stop = new CancellationTokenSource();
        var run = HostlessRun.RunAsync(Options(dir.Path), new Factory(() => stuck), NullLogger.Instance, TimeSpan.FromMilliseconds(300), stop.Token);
        await stuck.Streaming.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await stop.CancelAsync();

        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.True(outcome.StopFailed);
        Assert.Equal(FailureKind.Transient, outcome.Kind);
        Assert.Contains("did not stop within", outcome.Message, StringComparison.Ordinal);
        stuck.Release.TrySetResult();
    }

    private static WalReceiverOptions Options(string directory, Lsn? endPosition = null) => new()
    {
        Directory = directory, ConnectionString = "unused", Slot = "s", NoLoop = true, EndPosition = endPosition?.ToString(),
    };

    private static string PartialPath(string directory) =>
        Path.Combine(directory, WalFileName.Format(1, Start, new WalSegmentSize(1 << 20)) + WalFileName.PartialSuffix);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    private sealed class Factory(Func<IWalSource> create) : IWalSourceFactory
    {
        public Task<IWalSource> ConnectAsync(CancellationToken cancellationToken) => Task.FromResult(create());
    }

    // A server connection that hangs and does not hear the cancellation: what a stop stuck in an fsync looks like from outside.
    private sealed class StuckSource : IWalSource
    {
        public TaskCompletionSource Streaming { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ServerIdentity Identity { get; } = FakeWalSource.MakeIdentity();

        public Lsn ReportedFlush { get; set; }

        public Lsn ServerWalEnd => Start;

        public Task<ReplicationSlotInfo?> ReadSlotAsync(string slot, CancellationToken cancellationToken) =>
            Task.FromResult<ReplicationSlotInfo?>(new ReplicationSlotInfo(slot, Start, 1));

        public Task CreateSlotAsync(string slot, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<byte[]> TimelineHistoryAsync(uint timeline, CancellationToken cancellationToken) => throw new InvalidOperationException();

        public async IAsyncEnumerable<WalChunk> StreamAsync(string? slot, Lsn start, uint timeline, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Streaming.TrySetResult();
            await Release.Task; // deaf to the cancellation
            yield break;
        }

        public Task SendStatusUpdateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

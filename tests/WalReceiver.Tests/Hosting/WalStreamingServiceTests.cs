using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using WalReceiver.Diagnostics;
using WalReceiver.Hosting;
using WalReceiver.Replication;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Hosting;

/// <summary>
/// The supervisor: its backoff resets only when an attempt got past what earlier attempts had already archived, and a slot
/// our own ended stream still holds is waited for, also with -n.
/// </summary>
public sealed partial class WalStreamingServiceTests
{
    private static readonly Lsn Start = Lsn.Parse("0/100000");

    [Fact]
    public async Task A_connection_that_fails_after_streaming_only_what_the_archive_held_keeps_backing_off()
    {
        // Every connection serves the same 5000 bytes of the open segment, then breaks: the first attempt archives them,
        // the next ones only stream the .partial again from its start.
        var delays = await ReconnectDelaysAsync(_ => 5000, reconnects: 4);
        Assert.Equal([1, 2, 4, 8], delays);
    }

    [Fact]
    public async Task A_connection_that_fails_after_streaming_new_wal_reconnects_at_the_first_delay()
    {
        var delays = await ReconnectDelaysAsync(attempt => 5000 * (attempt + 1), reconnects: 4);
        Assert.Equal([1, 1, 1, 1], delays);
    }

    [Fact]
    public async Task With_no_loop_a_slot_still_held_right_after_the_server_ended_the_stream_is_waited_for()
    {
        // Npgsql closes the connection on the server's CopyDone (a timeline's end); the walsender behind it lets go of the
        // slot a moment later, and the next START_REPLICATION can be refused in between.
        var (outcome, attempts, log) = await RunNoLoopAsync(attempt => attempt switch
        {
            0 => Serving(5000, endStream: true),
            1 or 2 => Serving(0, failure: SlotInUse()),
            _ => Serving(20_000),
        }, advanceBy: TimeSpan.FromMilliseconds(100));
        Assert.True(outcome.Kind == FailureKind.None, $"{outcome.Kind}: {outcome.Message}\n{log}");
        Assert.Equal(4, attempts);
    }

    [Fact]
    public async Task With_no_loop_a_slot_in_use_at_the_first_attempt_ends_the_run()
    {
        var (outcome, attempts, _) = await RunNoLoopAsync(_ => Serving(0, failure: SlotInUse()), advanceBy: TimeSpan.FromMilliseconds(100));
        Assert.Equal(FailureKind.Transient, outcome.Kind);
        Assert.Contains("in use", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task With_no_loop_a_slot_held_longer_than_the_grace_after_a_stream_end_ends_the_run()
    {
        var (outcome, attempts, _) = await RunNoLoopAsync(
            attempt => attempt == 0 ? Serving(5000, endStream: true) : Serving(0, failure: SlotInUse()), advanceBy: TimeSpan.FromSeconds(1));
        Assert.Equal(FailureKind.Transient, outcome.Kind);
        Assert.InRange(attempts, 3, 20); // retried, then gave up once the 10 s grace had passed
    }

    private static readonly byte[] Wal = TestWal.Make(Start, 100_000, 3);

    private static FakeWalSource Serving(int bytes, bool endStream = false, Exception? failure = null) =>
        new(Wal[..bytes], Start, 1000, FakeWalSource.MakeIdentity(), endStream: endStream, failAfterServing: failure);

    private static WalReceiverException SlotInUse() =>
        new(FailureKind.Transient, "replication slot \"s\" is in use") { IsSlotInUse = true };

    // Runs a -n receive up to 20 000 bytes past the start, advancing the clock while it waits; returns how it ended.
    private static async Task<(RunOutcome Outcome, int Attempts, string Log)> RunNoLoopAsync(Func<int, IWalSource> create, TimeSpan advanceBy)
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        var logger = new FakeLogger();
        var factory = new Factory(create);
        var options = new WalReceiverOptions
        {
            Directory = dir.Path, ConnectionString = "unused", Slot = "s", NoLoop = true, EndPosition = (Start + 20_000).ToString(),
        };
        var outcome = new RunOutcome();
        var service = new WalStreamingService(options, factory, time, outcome, new RunCompletion(() => { }, outcome, 1), logger,
            new SourceState("s", time), metrics: null);
        await service.StartAsync(TestContext.Current.CancellationToken);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!service.ExecuteTask!.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, string.Join("\n", logger.Collector.GetSnapshot().Select(r => r.Message)));
            time.Advance(advanceBy);
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }

        await service.StopAsync(CancellationToken.None);
        return (outcome, factory.Attempts, string.Join("\n", logger.Collector.GetSnapshot().Select(r => r.Message)));
    }

    private static async Task<List<double>> ReconnectDelaysAsync(Func<int, int> bytesServed, int reconnects)
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        var logger = new FakeLogger();
        var wal = TestWal.Make(Start, 100_000, 3);
        var factory = new Factory(attempt => new FakeWalSource(wal[..bytesServed(attempt)], Start, 1000, FakeWalSource.MakeIdentity(),
            failAfterServing: new WalReceiverException(FailureKind.Transient, "connection reset by peer")));
        var options = new WalReceiverOptions { Directory = dir.Path, ConnectionString = "unused", Slot = "s" };
        var outcome = new RunOutcome();
        var service = new WalStreamingService(options, factory, time, outcome, new RunCompletion(() => { }, outcome, 1), logger,
            new SourceState("s", time), metrics: null);
        using var stop = new CancellationTokenSource();
        await service.StartAsync(stop.Token);
        var delays = new List<double>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (delays.Count < reconnects)
        {
            Assert.True(DateTime.UtcNow < deadline, $"saw {delays.Count} reconnects: {string.Join(", ", logger.Collector.GetSnapshot().Select(r => r.Message))}");
            var log = logger.Collector.GetSnapshot();
            var waits = log.Select(r => TryingAgain().Match(r.Message)).Where(m => m.Success).ToList();
            if (waits.Count > delays.Count)
                delays.Add(double.Parse(waits[delays.Count].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            // The delay's timer may be created a moment after its log line: advance until the next attempt has started.
            if (delays.Count > 0 && log.Count(r => r.Message.StartsWith("starting log streaming", StringComparison.Ordinal)) <= delays.Count)
                time.Advance(TimeSpan.FromSeconds(delays[^1]));

            await Task.Delay(5, TestContext.Current.CancellationToken);
        }

        await stop.CancelAsync();
        await service.StopAsync(CancellationToken.None);
        return delays;
    }

    [GeneratedRegex(@"trying again in ([0-9.]+) s")]
    private static partial Regex TryingAgain();

    private sealed class Factory(Func<int, IWalSource> create) : IWalSourceFactory
    {
        private int _attempts;

        public int Attempts => _attempts;

        public Task<IWalSource> ConnectAsync(CancellationToken cancellationToken) => Task.FromResult(create(_attempts++));
    }
}

using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using WalReceiver.Diagnostics;
using WalReceiver.Hosting;
using WalReceiver.Replication;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Hosting;

/// <summary>The supervisor's backoff: it resets only when an attempt got past what earlier attempts had already archived.</summary>
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
        var service = new WalStreamingService(options, factory, time, outcome, new RunCompletion(new Lifetime(), outcome, 1), logger,
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

        public Task<IWalSource> ConnectAsync(CancellationToken cancellationToken) => Task.FromResult(create(_attempts++));
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}

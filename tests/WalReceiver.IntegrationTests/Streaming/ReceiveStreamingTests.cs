using System.Diagnostics;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Streaming;

/// <summary>
/// <c>walreceiver receive</c> against a real server: the archive must hold the server's own bytes, survive any stop,
/// and resume without a gap.
/// </summary>
public sealed class ReceiveStreamingTests(SharedCluster shared)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(PosixSignal.Terminate)]
    [InlineData(PosixSignal.Interrupt)]
    public async Task Signal_stops_cleanly_with_complete_segments_and_partial_equal_to_the_server(int signal)
    {
        var cluster = shared.Cluster;
        await using var run = await ArchiveRun.StartAsync(cluster, $"sig{signal}");
        await using var receiver = run.StartReceiver("-v");
        await receiver.WaitForStderrAsync("starting log streaming", Timeout);
        await cluster.GenerateWalAsync(20_000);
        var end = await cluster.GenerateWalAsync(500, switchWal: false);
        await run.WaitForFlushAsync(end, Timeout);

        receiver.Signal(signal);
        Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));
        Assert.Contains("not renaming", receiver.Stderr, StringComparison.Ordinal);
        await ArchiveAssert.MatchesServerAsync(cluster, run.Directory, minimumComplete: 2);
        var partial = Assert.Single(Directory.GetFiles(run.Directory, "*.partial"));
        // other tests write WAL on the shared cluster too, so the partial may be a later segment than end's, never an earlier one
        var expected = WalFileName.Format(1, end, new WalSegmentSize(cluster.WalSegmentSize)) + ".partial";
        Assert.True(string.CompareOrdinal(Path.GetFileName(partial), expected) >= 0, $"{Path.GetFileName(partial)} is before {expected}");
        // the slot follows what is on our disk, and no further
        var restart = Lsn.Parse((await cluster.QueryScalarAsync<string>($"select restart_lsn::text from pg_replication_slots where slot_name = '{run.Slot}'"))!);
        Assert.True(restart >= end, $"slot restart_lsn {restart} is behind the flushed end {end}");
    }

    [Fact]
    public async Task Resumes_after_sigkill_without_a_gap()
    {
        var cluster = shared.Cluster;
        await using var run = await ArchiveRun.StartAsync(cluster, "kill");
        await using (var receiver = run.StartReceiver())
        {
            await receiver.WaitForStderrAsync("starting log streaming", Timeout);
            var first = await cluster.GenerateWalAsync(15_000, switchWal: false);
            await run.WaitForFlushAsync(first, Timeout);
            receiver.Signal(PosixSignal.Kill);
            await receiver.WaitForExitAsync(Timeout);
        }

        await cluster.GenerateWalAsync(15_000);
        var end = await cluster.GenerateWalAsync(100, switchWal: false);
        await using (var again = run.StartReceiver("-n", "-E", end.ToString()))
        {
            Assert.Equal(0, await again.WaitForExitAsync(Timeout));
            Assert.Contains("from PartialSegment", again.Stderr, StringComparison.Ordinal);
        }

        await ArchiveAssert.MatchesServerAsync(cluster, run.Directory, minimumComplete: 3);
    }

    [Fact]
    public async Task Slot_in_use_by_another_receiver_is_retried_until_it_is_free_then_streamed_from()
    {
        var cluster = shared.Cluster;
        await using var run = await ArchiveRun.StartAsync(cluster, "busy");
        var second = run.Directory + "_second";
        Directory.CreateDirectory(second);
        try
        {
            await using var first = run.StartReceiver();
            await first.WaitForStderrAsync("starting log streaming", Timeout);
            var before = await cluster.GenerateWalAsync(5_000, switchWal: false);
            await run.WaitForFlushAsync(before, Timeout);

            // without -n, "slot is active for PID n" is a wait, not a failure: it goes away when the other receiver stops
            await using var waiting = ReceiverProcess.Start(["receive", "-D", second, "-S", run.Slot, .. ReceiverProcess.ConnectionArgs(cluster)],
                new Dictionary<string, string> { ["PGAPPNAME"] = run.ApplicationName + "_2" });
            await waiting.WaitForStderrAsync("Another receiver is using the slot", Timeout);
            await waiting.WaitForStderrAsync("trying again", Timeout);
            Assert.Empty(Directory.GetFiles(second, "0*"));

            first.Signal(PosixSignal.Terminate);
            Assert.Equal(0, await first.WaitForExitAsync(Timeout));
            // other tests write WAL on the shared cluster too, so the first receiver may have gone past `before`
            var released = Lsn.Parse((await cluster.QueryScalarAsync<string>($"select restart_lsn::text from pg_replication_slots where slot_name = '{run.Slot}'"))!);
            Assert.True(released >= before, $"the slot's restart_lsn {released} is behind the first receiver's flush {before}");
            await waiting.WaitForStderrAsync("starting log streaming", Timeout);
            await cluster.GenerateWalAsync(10_000);
            var end = await cluster.GenerateWalAsync(10, switchWal: false);
            await ArchiveRun.WaitForFlushAsync(cluster, run.ApplicationName + "_2", end, Timeout);
            waiting.Signal(PosixSignal.Terminate);
            Assert.Equal(0, await waiting.WaitForExitAsync(Timeout));

            // the second archive starts where the slot was, at the segment holding the first receiver's last flush
            await ArchiveAssert.MatchesServerAsync(cluster, second, minimumComplete: 1);
            var size = new WalSegmentSize(cluster.WalSegmentSize);
            var firstOfSecond = Directory.GetFiles(second, "0*").Select(Path.GetFileName).Order(StringComparer.Ordinal).First()!;
            Assert.Equal(WalFileName.Format(1, released, size), firstOfSecond[..WalFileName.Length]);
        }
        finally
        {
            Directory.Delete(second, recursive: true);
        }
    }

    [Fact]
    public async Task Endpos_stops_with_exit_0_once_everything_before_it_is_archived()
    {
        var cluster = shared.Cluster;
        await using var run = await ArchiveRun.StartAsync(cluster, "endpos");
        await cluster.GenerateWalAsync(10_000);
        var end = await cluster.GenerateWalAsync(100, switchWal: false);
        var watch = Stopwatch.StartNew();
        await using var receiver = run.StartReceiver("-n", "-E", end.ToString());
        Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));
        Assert.Contains("end position " + end, receiver.Stderr, StringComparison.Ordinal);
        await ArchiveAssert.MatchesServerAsync(cluster, run.Directory, minimumComplete: 1);
        var written = Directory.GetFiles(run.Directory).Sum(f => new FileInfo(f).Length);
        Assert.True(written >= (long)(end.Value - run.Start.Value), "the archive holds less than the WAL before the end position");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}: it waited for WAL beyond the end position");
    }

    [Fact]
    public async Task Archives_16MB_segments_byte_identically()
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 16),
            TestContext.Current.CancellationToken);
        await using var run = await ArchiveRun.StartAsync(cluster, "big");
        await cluster.GenerateWalAsync(250_000);
        var end = await cluster.GenerateWalAsync(100, switchWal: false);
        await using var receiver = run.StartReceiver("-n", "-E", end.ToString());
        Assert.Equal(0, await receiver.WaitForExitAsync(TimeSpan.FromMinutes(3)));
        Assert.True(await ArchiveAssert.MatchesServerAsync(cluster, run.Directory, minimumComplete: 2) >= 2);
    }

    [Fact]
    public async Task Server_restart_mid_stream_reconnects_and_resumes_without_a_gap()
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1),
            TestContext.Current.CancellationToken);
        await using var run = await ArchiveRun.StartAsync(cluster, "restart");
        await using var receiver = run.StartReceiver("-v");
        await receiver.WaitForStderrAsync("starting log streaming", Timeout);
        var before = await cluster.GenerateWalAsync(10_000, switchWal: false);
        await run.WaitForFlushAsync(before, Timeout);

        // A fast shutdown waits until the receiver has confirmed everything it was sent: it must not hang on us.
        var watch = Stopwatch.StartNew();
        await cluster.StopAsync("fast", TestContext.Current.CancellationToken);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"pg_ctl stop -m fast took {watch.Elapsed} while we were connected");
        await receiver.WaitForStderrAsync("trying again", Timeout);
        await cluster.StartServerAsync(TestContext.Current.CancellationToken);

        await cluster.GenerateWalAsync(10_000);
        var after = await cluster.GenerateWalAsync(100, switchWal: false);
        await run.WaitForFlushAsync(after, Timeout);
        receiver.Signal(PosixSignal.Terminate);
        Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));
        await ArchiveAssert.MatchesServerAsync(cluster, run.Directory, minimumComplete: 3);
    }
}

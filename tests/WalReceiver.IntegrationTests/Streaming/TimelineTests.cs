using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Streaming;

/// <summary>
/// Promotions: the archive follows the new timeline, on the server's own bytes, with the history file in place, however
/// the receiver was stopped around the switch; a history that forked from ours is refused.
/// </summary>
public sealed class TimelineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Promotion_of_the_server_we_stream_from_is_followed_while_connected()
    {
        await using var primary = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        await using var standby = await primary.CreateStandbyAsync(Ct);
        await using var run = await ArchiveRun.StartAsync(standby, "promote");
        await using var receiver = run.StartReceiver("-v");
        await receiver.WaitForStderrAsync("starting log streaming", Timeout);
        var before = await primary.GenerateWalAsync(8_000, switchWal: false);
        await standby.WaitForReplayAsync(before);
        await run.WaitForFlushAsync(before, Timeout);

        await standby.PromoteAsync(Ct);
        await standby.GenerateWalAsync(8_000);
        var after = await standby.GenerateWalAsync(100, switchWal: false);
        await run.WaitForFlushAsync(after, Timeout);
        receiver.Signal(PosixSignal.Terminate);
        Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));

        await AssertFollowedAsync(standby, run, newTimeline: 2);
    }

    [Fact]
    public async Task Restart_with_only_an_old_timeline_partial_streams_the_rest_of_it_then_the_new_timeline()
    {
        await using var primary = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        await using var standby = await primary.CreateStandbyAsync(Ct);
        await using var run = await ArchiveRun.StartAsync(standby, "oldpartial");
        await using (var receiver = run.StartReceiver())
        {
            await receiver.WaitForStderrAsync("starting log streaming", Timeout);
            var first = await primary.GenerateWalAsync(3_000, switchWal: false);
            await standby.WaitForReplayAsync(first);
            await run.WaitForFlushAsync(first, Timeout);
            receiver.Signal(PosixSignal.Terminate);
            Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));
        }

        // More of timeline 1 than the partial holds, then the promotion: the next start must finish timeline 1 (the server
        // ends that stream at the switch point) and go on with timeline 2 by itself.
        var more = await primary.GenerateWalAsync(10_000, switchWal: false);
        await standby.WaitForReplayAsync(more);
        await standby.PromoteAsync(Ct);
        await RestartAfterPromotionAsync(standby, run);
    }

    [Fact]
    public async Task Restart_exactly_at_a_switch_point_on_a_segment_boundary_goes_on_with_the_new_timeline()
    {
        await using var primary = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        await using var standby = await primary.CreateStandbyAsync(Ct);
        await using var run = await ArchiveRun.StartAsync(standby, "boundary");
        await primary.GenerateWalAsync(5_000, switchWal: false);
        var boundary = await primary.GenerateWalAsync(0, switchWal: true); // the end of a switched segment
        await standby.WaitForReplayAsync(boundary);
        await using (var receiver = run.StartReceiver("-n", "-E", boundary.ToString()))
            Assert.True(await receiver.WaitForExitAsync(Timeout) == 0, receiver.Stderr);
        Assert.Empty(Directory.GetFiles(run.Directory, "*.partial"));

        await standby.PromoteAsync(Ct);
        var history = await standby.QueryScalarAsync<string>("select convert_from(pg_read_binary_file('pg_wal/00000002.history'), 'UTF8')", Ct);
        Assert.Equal(boundary, TimelineHistory.Parse(2, history!).SwitchPointOf(1)); // the case that loops pg_receivewal forever
        await RestartAfterPromotionAsync(standby, run);
    }

    [Fact]
    public async Task Archive_whose_timeline_went_past_the_fork_point_is_refused_as_diverged()
    {
        await using var primary = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        await using var standby = await primary.CreateStandbyAsync(Ct);
        var lsn = await primary.GenerateWalAsync(1_000, switchWal: false);
        await standby.WaitForReplayAsync(lsn);
        await standby.PromoteAsync(Ct);

        // The old primary goes on writing timeline 1 past the point where the promoted standby left it.
        await using var run = await ArchiveRun.StartAsync(primary, "diverged");
        await primary.GenerateWalAsync(10_000);
        var end = await primary.GenerateWalAsync(100, switchWal: false);
        await using (var receiver = run.StartReceiver("-n", "-E", end.ToString()))
            Assert.True(await receiver.WaitForExitAsync(Timeout) == 0, receiver.Stderr);
        var before = Snapshot(run.Directory);

        await standby.ExecuteAsync($"select pg_create_physical_replication_slot('{run.Slot}', true)", Ct);
        var (code, stderr) = await ReceiverProcess.RunAsync(
            ["receive", .. ReceiverProcess.ConnectionArgs(standby), "-D", run.Directory, "-S", run.Slot, "-n"], Timeout);
        Assert.True(code == 4, $"exit code {code}, stderr:\n{stderr}");
        Assert.Contains("diverged", stderr, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(run.Directory));
    }

    [Fact]
    public async Task Archive_of_another_cluster_is_refused_naming_both_identifiers_and_left_untouched()
    {
        await using var other = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        await using var mine = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        await using var run = await ArchiveRun.StartAsync(mine, "foreign");
        var end = await mine.GenerateWalAsync(2_000);
        await using (var receiver = run.StartReceiver("-n", "-E", end.ToString()))
            Assert.True(await receiver.WaitForExitAsync(Timeout) == 0, receiver.Stderr);
        var before = Snapshot(run.Directory);

        var (code, stderr) = await ReceiverProcess.RunAsync(["receive", .. ReceiverProcess.ConnectionArgs(other), "-D", run.Directory, "-n"], Timeout);
        Assert.True(code == 4, $"exit code {code}, stderr:\n{stderr}");
        var mineId = (await mine.QueryScalarAsync<long>("select system_identifier from pg_control_system()", Ct)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var otherId = (await other.QueryScalarAsync<long>("select system_identifier from pg_control_system()", Ct)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(mineId, stderr, StringComparison.Ordinal);
        Assert.Contains(otherId, stderr, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(run.Directory));
    }

    // New WAL on the promoted server, then a restart of the receiver up to it: the archive must continue on timeline 2.
    private static async Task RestartAfterPromotionAsync(PostgresCluster standby, ArchiveRun run)
    {
        await standby.GenerateWalAsync(5_000);
        var end = await standby.GenerateWalAsync(100, switchWal: false);
        await using (var again = run.StartReceiver("-n", "-E", end.ToString()))
            Assert.True(await again.WaitForExitAsync(Timeout) == 0, again.Stderr);
        await AssertFollowedAsync(standby, run, newTimeline: 2);
    }

    private static async Task AssertFollowedAsync(PostgresCluster server, ArchiveRun run, uint newTimeline)
    {
        var history = TimelineId.HistoryFileName(newTimeline);
        Assert.True(File.Exists(Path.Combine(run.Directory, history)), $"{history} is missing from the archive");
        Assert.Equal(await server.ReadWalFileAsync(history), await File.ReadAllBytesAsync(Path.Combine(run.Directory, history), Ct));
        await ArchiveAssert.MatchesServerAsync(server, run.Directory, minimumComplete: 2);
        var prefix = newTimeline.ToString("X8", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(Directory.GetFiles(run.Directory), f => Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal)
            && !f.EndsWith(".partial", StringComparison.Ordinal) && !f.EndsWith(".history", StringComparison.Ordinal));
    }

    // The archive's content: its WAL, history and identity (walreceiver.lock only says which process holds the directory).
    private static string Snapshot(string directory) => string.Join("\n", Directory.GetFiles(directory).Order(StringComparer.Ordinal)
        .Where(f => Path.GetFileName(f) != "walreceiver.lock")
        .Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f).Ticks}"));
}

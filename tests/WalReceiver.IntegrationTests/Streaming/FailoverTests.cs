using System.Globalization;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Streaming;

/// <summary>
/// Two hosts and <c>target_session_attrs=primary</c>: when the primary goes away and its standby is promoted, the receiver
/// finds the new primary, re-creates its slot there and goes on without a gap, or stops (exit 4) when WAL is gone.
/// </summary>
public sealed class FailoverTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The libpq conninfo form of the same: host=a,b port=p1,p2.
    private static string[] BothHostsConninfo(PostgresCluster primary, PostgresCluster standby) =>
    [
        "-U", primary.SuperUser, "-d",
        string.Create(CultureInfo.InvariantCulture,
            $"host={primary.Host},{standby.Host} port={primary.Port},{standby.Port} target_session_attrs=primary"),
    ];

    private static string[] BothHosts(PostgresCluster primary, PostgresCluster standby) =>
    [
        "-h", $"{primary.Host},{standby.Host}",
        "-p", string.Create(CultureInfo.InvariantCulture, $"{primary.Port},{standby.Port}"),
        "-U", primary.SuperUser, "-d", "target_session_attrs=primary",
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Failover_to_the_promoted_standby_recreates_the_slot_and_goes_on_without_a_gap(bool conninfoForm)
    {
        await using var primary = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        await using var standby = await primary.CreateStandbyAsync(Ct);
        // keeps the standby's copies of timeline 1 for the byte comparison at the end
        await standby.ExecuteAsync("select pg_create_physical_replication_slot('hold_failover', true)", Ct);
        await using var run = await ArchiveRun.StartAsync(primary, "failover");
        await using var receiver = run.StartReceiverWith(["-v", .. conninfoForm ? BothHostsConninfo(primary, standby) : BothHosts(primary, standby)]);
        await receiver.WaitForStderrAsync("starting log streaming", Timeout);
        var before = await primary.GenerateWalAsync(8_000, switchWal: false);
        await standby.WaitForReplayAsync(before);
        await run.WaitForFlushAsync(before, Timeout);

        await primary.StopAsync("fast", Ct);
        await standby.PromoteAsync(Ct);
        await standby.GenerateWalAsync(8_000);
        var after = await standby.GenerateWalAsync(100, switchWal: false);
        await run.WaitForFlushAsync(standby, after, Timeout);
        receiver.Signal(PosixSignal.Terminate);
        Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));

        Assert.Contains($"replication slot \"{run.Slot}\" did not exist", receiver.Stderr, StringComparison.Ordinal);
        Assert.Equal(await standby.ReadWalFileAsync("00000002.history"), await File.ReadAllBytesAsync(Path.Combine(run.Directory, "00000002.history"), Ct));
        await ArchiveAssert.MatchesServerAsync(standby, run.Directory, minimumComplete: 4);
        Assert.Contains(Directory.GetFiles(run.Directory), f => Path.GetFileName(f).StartsWith("00000002", StringComparison.Ordinal)
            && !f.EndsWith(".partial", StringComparison.Ordinal) && !f.EndsWith(".history", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Failover_to_a_server_that_no_longer_has_our_wal_stops_with_exit_4_and_says_a_base_backup_is_needed()
    {
        await using var primary = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        await using var standby = await primary.CreateStandbyAsync(Ct);
        await using var run = await ArchiveRun.StartAsync(primary, "gap");
        var archived = await primary.GenerateWalAsync(100);
        await using (var receiver = run.StartReceiverWith(["-n", "-E", archived.ToString(), .. BothHosts(primary, standby)]))
            Assert.True(await receiver.WaitForExitAsync(Timeout) == 0, receiver.Stderr);
        var size = new WalSegmentSize(primary.WalSegmentSize);
        var needed = WalFileName.Format(1, archived, size); // the first segment the archive does not have

        // Much more WAL, and checkpoints on both, so the standby recycles the segments the archive still needs.
        for (var i = 0; i < 3; i++)
        {
            var lsn = await primary.GenerateWalAsync(10_000);
            await primary.ExecuteAsync("checkpoint", Ct);
            await standby.WaitForReplayAsync(lsn);
            await standby.ExecuteAsync("checkpoint", Ct);
        }

        await primary.StopAsync("fast", Ct);
        await standby.PromoteAsync(Ct);
        await standby.ExecuteAsync("select pg_switch_wal()", Ct);
        await standby.ExecuteAsync("checkpoint", Ct);
        var left = await standby.ListWalFilesAsync(Ct);
        Assert.True(!left.Contains(needed) && !left.Contains(needed + ".partial"),
            $"precondition: the new primary should have recycled {needed}, but it has: {string.Join(", ", left)}");

        var (code, stderr) = await ReceiverProcess.RunAsync(
            ["receive", "-D", run.Directory, "-S", run.Slot, "-n", .. BothHosts(primary, standby)], Timeout);
        Assert.True(code == 4, $"exit code {code}, stderr:\n{stderr}");
        Assert.Contains("gap", stderr, StringComparison.Ordinal);
        Assert.Contains("base backup", stderr, StringComparison.Ordinal);
    }
}

using System.Globalization;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;

namespace WalReceiver.IntegrationTests.Faults;

/// <summary>
/// A network that goes silent (no FIN, no RST) ends the attempt after <c>--receive-timeout</c> seconds without a message,
/// as the server's <c>wal_receiver_timeout</c> does for a standby; the receiver reconnects, waits for the dead
/// walsender to free the slot, and goes on without a gap.
/// </summary>
public sealed class SilentNetworkTests(SharedCluster shared)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Silent_network_ends_the_attempt_after_the_receive_timeout_and_the_archive_resumes_without_a_gap()
    {
        var cluster = shared.Cluster;
        await using var proxy = TcpProxy.Start(cluster.Host, cluster.Port);
        await using var run = await ArchiveRun.StartAsync(cluster, "silent");
        var environment = new Dictionary<string, string> { ["PGAPPNAME"] = run.ApplicationName, ["PGCONNECT_TIMEOUT"] = "2" };
        await using var receiver = ReceiverProcess.Start(["receive", "-D", run.Directory, "-S", run.Slot, "-h", "127.0.0.1",
            "-p", proxy.Port.ToString(CultureInfo.InvariantCulture), "-U", cluster.SuperUser, "-s", "2", "--receive-timeout", "3", "-v"], environment);
        await receiver.WaitForStderrAsync("starting log streaming", Timeout);
        var before = await cluster.GenerateWalAsync(5_000, switchWal: false);
        await run.WaitForFlushAsync(before, Timeout);

        proxy.Silence();
        var silent = DateTime.UtcNow;
        await cluster.GenerateWalAsync(5_000, switchWal: false);
        await receiver.WaitForStderrAsync("no message from the server for 3 s", Timeout);
        var noticed = DateTime.UtcNow - silent;
        TestContext.Current.TestOutputHelper?.WriteLine($"silence noticed after {noticed.TotalSeconds:F1} s");
        // 3 s of silence, then Npgsql's cancel request (its connection is swallowed too: 2 tries of 2 s).
        Assert.True(noticed < TimeSpan.FromSeconds(20), $"took {noticed} to notice the silence");
        await receiver.WaitForStderrAsync("trying again", Timeout);

        proxy.Restore();
        await cluster.GenerateWalAsync(10_000);
        var end = await cluster.GenerateWalAsync(10, switchWal: false);
        // The old walsender keeps the slot until wal_sender_timeout (10 s here): waited for, then streaming resumes.
        await CliTestSupport.WaitUntilAsync(
            () => cluster.QueryScalarAsync<bool>(
                $"select coalesce(bool_or(flush_lsn >= '{end}'), false) from pg_stat_replication where application_name = '{run.ApplicationName}'"),
            Timeout, () => $"flush to reach {end}; stderr:\n{receiver.Stderr}");

        TestContext.Current.TestOutputHelper?.WriteLine($"streaming again {(DateTime.UtcNow - silent).TotalSeconds:F1} s after the silence began");
        receiver.Signal(PosixSignal.Terminate);
        Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));
        Assert.True(proxy.Connections >= 3, $"{proxy.Connections} connections: expected the first, the cancel request and a reconnect");
        await ArchiveAssert.MatchesServerAsync(cluster, run.Directory, minimumComplete: 1);
    }
}

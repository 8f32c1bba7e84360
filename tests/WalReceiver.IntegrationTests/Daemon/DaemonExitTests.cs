using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;

namespace WalReceiver.IntegrationTests.Daemon;

/// <summary>
/// A daemon whose sources have all ended for good exits by itself with the most severe of their codes, so systemd or
/// docker see the failure instead of a process that stays up with nothing to do.
/// </summary>
public sealed class DaemonExitTests(SharedCluster shared)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Daemon_whose_every_source_failed_for_good_exits_with_the_most_severe_code()
    {
        var cluster = shared.Cluster;
        var conninfo = DaemonRun.Conninfo(cluster);
        var noSlot = CliTestSupport.CreateDirectory(cluster.WorkDirectory, "exit-noslot");
        var otherCluster = CliTestSupport.CreateDirectory(cluster.WorkDirectory, "exit-other");
        await File.WriteAllTextAsync(Path.Combine(otherCluster, "walreceiver.systemid"), "12345\n", TestContext.Current.CancellationToken);

        await using var daemon = DaemonRun.Start([
            new { Name = "noslot", ConnectionString = conninfo, Slot = CliTestSupport.UniqueName("missing"), Directory = noSlot },
            new { Name = "other", ConnectionString = conninfo, Directory = otherCluster },
        ]);

        var code = await daemon.Process.WaitForExitAsync(Timeout);
        var stderr = daemon.Process.Stderr;
        Assert.True(code == 4, $"exit code {code} (expected 4: another cluster's archive outranks a missing slot's 3), stderr:\n{stderr}");
        Assert.Contains("[noslot]", stderr, StringComparison.Ordinal);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
        Assert.Contains("[other]", stderr, StringComparison.Ordinal);
        Assert.Contains("12345", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Daemon_stopped_by_sigterm_exits_0_even_after_a_source_failed()
    {
        var cluster = shared.Cluster;
        var conninfo = DaemonRun.Conninfo(cluster);
        var live = CliTestSupport.CreateDirectory(cluster.WorkDirectory, "exit-live");
        var noSlot = CliTestSupport.CreateDirectory(cluster.WorkDirectory, "exit-noslot2");
        var slot = CliTestSupport.UniqueName("live");
        await using var daemon = DaemonRun.Start([
            new { Name = "live", ConnectionString = conninfo, Slot = slot, CreateSlot = true, Directory = live },
            new { Name = "noslot", ConnectionString = conninfo, Slot = CliTestSupport.UniqueName("missing"), Directory = noSlot },
        ]);
        try
        {
            var health = await daemon.WaitForAsync("/healthz", (_, body) => body.Contains("\"failed\"", StringComparison.Ordinal)
                && body.Contains("\"streaming\"", StringComparison.Ordinal), Timeout);
            Assert.Equal(503, health.Status);
            // one line per reason, never a stack trace
            Assert.DoesNotContain("\\n", health.Body, StringComparison.Ordinal);
            Assert.DoesNotContain(" at WalReceiver.", health.Body, StringComparison.Ordinal);

            daemon.Process.Signal(PosixSignal.Terminate);
            var code = await daemon.Process.WaitForExitAsync(Timeout);
            Assert.True(code == 0, $"exit code {code}, stderr:\n{daemon.Process.Stderr}");
        }
        finally
        {
            await cluster.ExecuteAsync($"select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = '{slot}' and not active");
        }
    }
}

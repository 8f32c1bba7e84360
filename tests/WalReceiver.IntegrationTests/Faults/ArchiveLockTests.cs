using System.Globalization;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Daemon;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;
using WalReceiver.Storage;

namespace WalReceiver.IntegrationTests.Faults;

/// <summary>One writer per archive: a second receiver on a directory in use is refused before it reads or writes anything.</summary>
public sealed class ArchiveLockTests(SharedCluster shared)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Second_receiver_on_the_same_directory_exits_3_naming_the_directory_and_the_holder()
    {
        var cluster = shared.Cluster;
        await using var run = await ArchiveRun.StartAsync(cluster, "lock");
        await using var first = run.StartReceiver();
        await first.WaitForStderrAsync("starting log streaming", Timeout);
        var before = Directory.GetFiles(run.Directory).ToDictionary(f => f, File.GetLastWriteTimeUtc);

        // Another slot, so that only the directory is shared.
        var other = run.Slot + "_b";
        await cluster.ExecuteAsync($"select pg_create_physical_replication_slot('{other}', true)");
        try
        {
            var (code, stderr) = await ReceiverProcess.RunAsync(
                ["receive", .. ReceiverProcess.ConnectionArgs(cluster), "-D", run.Directory, "-S", other, "-n"], Timeout);
            Assert.True(code == 3, $"exit code {code}, stderr:\n{stderr}");
            Assert.Contains(run.Directory, stderr, StringComparison.Ordinal);
            Assert.Contains("process " + first.Id.ToString(CultureInfo.InvariantCulture), stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("starting log streaming", stderr, StringComparison.Ordinal);
        }
        finally
        {
            await cluster.ExecuteAsync($"select pg_drop_replication_slot('{other}')");
        }

        // The first one went on undisturbed, and the refused one touched nothing.
        await cluster.GenerateWalAsync(5_000);
        var end = await cluster.GenerateWalAsync(10, switchWal: false);
        await run.WaitForFlushAsync(end, Timeout);
        first.Signal(PosixSignal.Terminate);
        Assert.Equal(0, await first.WaitForExitAsync(Timeout));
        await ArchiveAssert.MatchesServerAsync(cluster, run.Directory);
        // (the first one appends to the manifest as it completes segments)
        Assert.All(before.Keys.Where(f => !f.EndsWith(".partial", StringComparison.Ordinal) && !f.EndsWith(".lock", StringComparison.Ordinal)
                && Path.GetFileName(f) != ArchiveManifest.FileName),
            f => Assert.Equal(before[f], File.GetLastWriteTimeUtc(f)));
    }

    [Fact]
    public async Task Daemon_whose_only_source_finds_its_directory_in_use_exits_3()
    {
        var cluster = shared.Cluster;
        await using var run = await ArchiveRun.StartAsync(cluster, "lockd");
        await using var holder = run.StartReceiver();
        await holder.WaitForStderrAsync("starting log streaming", Timeout);

        await using var daemon = DaemonRun.Start([new
        {
            Name = "second",
            ConnectionString = DaemonRun.Conninfo(cluster),
            Slot = run.HoldSlot,
            Directory = run.Directory,
        }]);
        var code = await daemon.Process.WaitForExitAsync(Timeout);
        Assert.True(code == 3, $"exit code {code}, stderr:\n{daemon.Process.Stderr}");
        Assert.Contains("in use by another receiver", daemon.Process.Stderr, StringComparison.Ordinal);
    }
}

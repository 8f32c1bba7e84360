using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;

namespace WalReceiver.IntegrationTests.Cli;

/// <summary>Npgsql's own log reaches ours at debug level: visible with -v (where a swallowed feedback failure would show), silent without.</summary>
public sealed class NpgsqlLogTests(SharedCluster shared)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Npgsql_log_lines_appear_at_debug_level_with_verbose_only(bool verbose)
    {
        var cluster = shared.Cluster;
        await using var run = await ArchiveRun.StartAsync(cluster, verbose ? "npglogv" : "npglog");
        var end = await cluster.GenerateWalAsync(10, switchWal: false);
        await using var receiver = run.StartReceiver(verbose ? ["-n", "-E", end.ToString(), "-v"] : ["-n", "-E", end.ToString()]);
        Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));

        var npgsql = receiver.Stderr.Split('\n').Where(l => l.Contains("Executing replication command: IDENTIFY_SYSTEM", StringComparison.Ordinal)).ToList();
        if (verbose)
            Assert.Contains(npgsql, l => l.Contains(" debug: ", StringComparison.Ordinal));
        else
            Assert.Empty(npgsql);
    }
}

using System.Globalization;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;

namespace WalReceiver.IntegrationTests.Faults;

/// <summary>
/// <c>--synchronous</c> flushes while the next read is under way; a stop that lands in that window must still end
/// cleanly (exit 0, the last position reported), never as an "unexpected error".
/// </summary>
public sealed class SynchronousStopTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sigterm_under_pgbench_load_with_synchronous_exits_0_every_time()
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "syncstop");
        await cluster.ExecuteAsync("create table sync_load (x int)", Ct);
        var script = Path.Combine(cluster.WorkDirectory, "insert.sql");
        await File.WriteAllTextAsync(script, "insert into sync_load values (1);\n", Ct);
        File.SetUnixFileMode(script, (UnixFileMode)0b110_100_100);
        // The receiver is the synchronous standby: every commit waits for its flush, so it is flushing (with the next read
        // under way) nearly all the time, which is where a stop used to land.
        await cluster.ExecuteAsync($"alter system set synchronous_standby_names = '{run.ApplicationName}'; select pg_reload_conf()", Ct);
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        // 8 clients committing one-row inserts: WAL arrives in a steady stream of small messages.
        var load = cluster.RunProgramAsync("pgbench", ["-n", "-c", "8", "-j", "2", "-T", "120", "-f", script, "-h", cluster.Host,
            "-p", cluster.Port.ToString(CultureInfo.InvariantCulture), "-U", cluster.SuperUser, "postgres"], stopLoad.Token);
        try
        {
            for (var i = 0; i < 3; i++)
            {
                await using var receiver = run.StartReceiver("--synchronous", "-v");
                await receiver.WaitForStderrAsync("starting log streaming", Timeout);
                var now = await cluster.QueryScalarAsync<string>("select pg_current_wal_lsn()::text", Ct);
                await run.WaitForFlushAsync(WalReceiver.Wal.Lsn.Parse(now!), Timeout); // streaming under load by now
                Assert.False(load.IsCompleted, "pgbench stopped early: " + load.Exception?.Message);

                receiver.Signal(PosixSignal.Terminate);
                var code = await receiver.WaitForExitAsync(Timeout);
                Assert.True(code == 0, $"run {i + 1}: exit code {code}, stderr:\n{receiver.Stderr}");
                Assert.DoesNotContain("unexpected error", receiver.Stderr, StringComparison.Ordinal);
                Assert.Contains("stopped log streaming", receiver.Stderr, StringComparison.Ordinal);
            }
        }
        finally
        {
            // Without its synchronous standby every commit would wait forever.
            await cluster.ExecuteAsync("alter system set synchronous_standby_names = ''; select pg_reload_conf()", CancellationToken.None);
            await stopLoad.CancelAsync();
            try
            {
                await load;
            }
            catch (OperationCanceledException)
            {
                // stopped as asked
            }
        }

        await ArchiveAssert.MatchesServerAsync(cluster, run.Directory, minimumComplete: 0);
    }
}

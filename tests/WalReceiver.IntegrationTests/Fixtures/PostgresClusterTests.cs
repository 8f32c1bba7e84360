using System.Diagnostics;
using System.Globalization;

namespace WalReceiver.IntegrationTests.Fixtures;

/// <summary>Proves the cluster fixture itself: SQL, WAL files, stop/start, kill, standby and promotion.</summary>
public sealed class PostgresClusterTests(SharedCluster shared)
{
    private static readonly TimeSpan ReplicationTimeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SharedCluster_AnswersSql()
    {
        var cluster = shared.Cluster;

        Assert.Equal(1, await cluster.QueryScalarAsync<int>("select 1", Ct));
        Assert.Equal(1024 * 1024, cluster.WalSegmentSize);
        Assert.Equal("1MB", await cluster.QueryScalarAsync<string>("select current_setting('wal_segment_size')", Ct));
        Assert.Equal("replica", await cluster.QueryScalarAsync<string>("show wal_level", Ct));
    }

    [Fact]
    public async Task ReadWalFile_ReturnsTheFinishedSegment()
    {
        await using var cluster = await StartTimedAsync(new PostgresClusterOptions());

        var segment = await cluster.QueryScalarAsync<string>("select pg_walfile_name(pg_current_wal_lsn())", Ct);
        await cluster.ExecuteAsync("create table t(x int); insert into t select generate_series(1, 1000); select pg_switch_wal()", Ct);
        var bytes = await cluster.ReadWalFileAsync(segment!, Ct);

        Assert.Contains(segment!, await cluster.ListWalFilesAsync(Ct));
        Assert.Equal(cluster.WalSegmentSize, bytes.Length);
        if (cluster.IsLocal)
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(cluster.DataDirectory!, "pg_wal", segment!), Ct), bytes);
        }
    }

    [Fact]
    public async Task StopFast_ThenStart_KeepsDataAndPort()
    {
        await using var cluster = await StartTimedAsync(new PostgresClusterOptions());
        await cluster.ExecuteAsync("create table t(x int); insert into t values (42)", Ct);
        var port = cluster.Port;

        await cluster.StopAsync("fast", Ct);
        await Assert.ThrowsAnyAsync<Exception>(() => cluster.QueryScalarAsync<int>("select 1", Ct));
        await cluster.StartServerAsync(Ct);

        Assert.Equal(port, cluster.Port);
        Assert.Equal(42, await cluster.QueryScalarAsync<int>("select x from t", Ct));
        await cluster.RestartAsync("immediate", Ct);
        Assert.Equal(42, await cluster.QueryScalarAsync<int>("select x from t", Ct));
    }

    [Fact]
    public async Task Kill_ThenStart_RecoversCommittedData()
    {
        await using var cluster = await StartTimedAsync(new PostgresClusterOptions());
        await cluster.ExecuteAsync("create table t(x int); insert into t values (7)", Ct);

        await cluster.KillAsync(Ct);
        await cluster.StartServerAsync(Ct);

        Assert.Equal(7, await cluster.QueryScalarAsync<int>("select x from t", Ct));
    }

    [Fact]
    public async Task Standby_Replays_ThenPromotesToTimeline2()
    {
        // pg_basebackup needs the primary's data on this machine.
        await using var primary = await StartTimedAsync(new PostgresClusterOptions(UseDocker: false));
        await using var standby = await primary.CreateStandbyAsync(Ct);
        Assert.True(await standby.QueryScalarAsync<bool>("select pg_is_in_recovery()", Ct));
        Assert.NotEqual(primary.Port, standby.Port);

        await primary.ExecuteAsync("create table t(x int); insert into t select generate_series(1, 100)", Ct);
        var primaryLsn = await primary.QueryScalarAsync<string>("select pg_current_wal_lsn()::text", Ct);
        await WaitUntilAsync(
            () => standby.QueryScalarAsync<bool>($"select pg_last_wal_replay_lsn() >= '{primaryLsn}'::pg_lsn", Ct),
            $"standby replay to reach {primaryLsn}");
        Assert.Equal(100L, await standby.QueryScalarAsync<long>("select count(*) from t", Ct));

        await standby.PromoteAsync(Ct);
        await standby.ExecuteAsync("checkpoint", Ct);

        Assert.False(await standby.QueryScalarAsync<bool>("select pg_is_in_recovery()", Ct));
        Assert.Equal(2, await standby.QueryScalarAsync<int>("select timeline_id from pg_control_checkpoint()", Ct));
        Assert.StartsWith("00000002", await standby.QueryScalarAsync<string>("select pg_walfile_name(pg_current_wal_lsn())", Ct));
        Assert.Contains("00000002.history", await standby.ListWalFilesAsync(Ct));
    }

    [Fact]
    public async Task RunProgram_ReturnsStdout_AndThrowsWithStderr()
    {
        var cluster = shared.Cluster;

        var version = await cluster.RunProgramAsync("pg_basebackup", ["--version"], Ct);
        Assert.StartsWith("pg_basebackup (PostgreSQL)", version);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.RunProgramAsync("pg_basebackup", ["--no-such-option"], Ct));
        Assert.Contains("no-such-option", error.Message);
    }

    private static async Task<PostgresCluster> StartTimedAsync(PostgresClusterOptions options)
    {
        var stopwatch = Stopwatch.StartNew();
        var cluster = await PostgresCluster.StartAsync(options, Ct);
        TestContext.Current.TestOutputHelper?.WriteLine(
            string.Create(CultureInfo.InvariantCulture, $"cluster started in {stopwatch.ElapsedMilliseconds} ms (local: {cluster.IsLocal})"));
        return cluster;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > ReplicationTimeout)
            {
                throw new TimeoutException($"Timed out after {ReplicationTimeout} waiting for {what}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), Ct);
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using WalReceiver.IntegrationTests.Fixtures;

namespace WalReceiver.IntegrationTests.Testing;

/// <summary>Proves the fixture package itself: SQL, WAL files and helpers, stop/start, kill, standby and promotion.</summary>
public sealed class PostgresClusterTests(SharedCluster shared)
{
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
        var primaryLsn = await primary.CurrentWalLsnAsync(Ct);
        await standby.WaitForReplayAsync(primaryLsn, Ct);
        Assert.Equal(100L, await standby.QueryScalarAsync<long>("select count(*) from t", Ct));
        Assert.True(await standby.CurrentWalLsnAsync(Ct) >= primaryLsn);
        var late = primaryLsn + 1_000_000_000;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            using var shortWait = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            shortWait.CancelAfter(TimeSpan.FromMilliseconds(300));
            await standby.WaitForReplayAsync(late, shortWait.Token);
        });

        await standby.PromoteAsync(Ct);
        await standby.ExecuteAsync("checkpoint", Ct);

        Assert.False(await standby.QueryScalarAsync<bool>("select pg_is_in_recovery()", Ct));
        Assert.Equal(2, await standby.QueryScalarAsync<int>("select timeline_id from pg_control_checkpoint()", Ct));
        Assert.StartsWith("00000002", await standby.QueryScalarAsync<string>("select pg_walfile_name(pg_current_wal_lsn())", Ct));
        Assert.Contains("00000002.history", await standby.ListWalFilesAsync(Ct));
    }

    [Fact]
    public async Task SwitchWal_StartsANewSegment_EvenWhenNothingWasWrittenSinceTheLastSwitch()
    {
        // Clusters of their own here: a switch on the shared one could complete another test's segment under its feet.
        await using var cluster = await StartTimedAsync(new PostgresClusterOptions());
        var size = (ulong)cluster.WalSegmentSize;

        var first = await cluster.SwitchWalAsync(Ct);
        var second = await cluster.SwitchWalAsync(Ct);

        // Each switch ends where a segment begins, and the second one is a segment further on.
        Assert.Equal(0UL, first.Value % size);
        Assert.Equal(first.Value + size, second.Value);
        Assert.Equal(second, await cluster.CurrentWalLsnAsync(Ct));
    }

    [Fact]
    public async Task GenerateWal_WritesAboutWhatItSays_AndSwitchesOnlyWhenAsked()
    {
        await using var cluster = await StartTimedAsync(new PostgresClusterOptions());
        var before = await cluster.SwitchWalAsync(Ct);

        var unswitched = await cluster.GenerateWalAsync(2_000, switchWal: false, Ct);
        var written = unswitched.Value - before.Value;
        Assert.InRange(written, 2_000UL * 100, 2_000UL * 400);
        Assert.NotEqual(0UL, unswitched.Value % (ulong)cluster.WalSegmentSize);

        var switched = await cluster.GenerateWalAsync(10, switchWal: true, Ct);
        Assert.Equal(0UL, switched.Value % (ulong)cluster.WalSegmentSize);
        Assert.True(switched > unswitched);
    }

    [Fact]
    public async Task Start_WithoutWhatTheOptionsNeed_ThrowsPostgresUnavailable_NamingIt()
    {
        var options = new PostgresClusterOptions(UseDocker: true);
        if (PostgresCluster.FindMissingPrerequisite(options) is null)
        {
            Assert.Skip("A Docker engine answers here, so nothing is missing for UseDocker: true.");
        }

        var error = await Assert.ThrowsAsync<PostgresUnavailableException>(() => PostgresCluster.StartAsync(options, Ct));
        Assert.Contains("Docker engine", error.Message, StringComparison.Ordinal);
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
        var cluster = await TestClusters.StartAsync(options, Ct);
        TestContext.Current.TestOutputHelper?.WriteLine(
            string.Create(CultureInfo.InvariantCulture, $"cluster started in {stopwatch.ElapsedMilliseconds} ms (local: {cluster.IsLocal})"));
        return cluster;
    }
}

using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Streaming;

/// <summary>
/// A <c>.partial</c> left by a clean stop has the segment's size (sparse zeros after the data), as pg_receivewal leaves
/// it: pg_receivewal can take the archive over, and an operator who renames it for a restore gets a usable segment.
/// </summary>
public sealed class PartialSegmentTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pg_receivewal_takes_over_an_archive_we_stopped_cleanly()
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "takeover");
        await using (var receiver = run.StartReceiver())
        {
            await receiver.WaitForStderrAsync("starting log streaming", Timeout);
            var stopped = await cluster.GenerateWalAsync(100, switchWal: false);
            await run.WaitForFlushAsync(stopped, Timeout);
            receiver.Signal(PosixSignal.Terminate);
            Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));
        }

        var partial = Assert.Single(Directory.GetFiles(run.Directory, "*.partial"));
        Assert.Equal(cluster.WalSegmentSize, new FileInfo(partial).Length);

        await cluster.GenerateWalAsync(5_000);
        var end = await cluster.GenerateWalAsync(10, switchWal: false);
        PointInTimeRecoveryTests.GrantReadAccess(run.Directory);
        File.SetUnixFileMode(run.Directory, (UnixFileMode)0b111_111_111); // pg_receivewal runs as the server's account here
        foreach (var f in Directory.GetFiles(run.Directory))
            File.SetUnixFileMode(f, (UnixFileMode)0b110_110_110);
        await cluster.RunProgramAsync("pg_receivewal", ["-h", cluster.Host, "-p", PointInTimeRecoveryTests.Port(cluster), "-U", cluster.SuperUser,
            "-D", run.Directory, "-S", run.Slot, "-n", "-E", end.ToString(), "--no-sync"], Ct);

        Assert.True(File.Exists(partial[..^WalFileName.PartialSuffix.Length]), "pg_receivewal did not complete the segment we left partial");
        await ArchiveAssert.MatchesServerAsync(cluster, run.Directory, minimumComplete: 1);
    }

    [Fact]
    public async Task A_renamed_partial_restores_a_base_backup_to_a_target_inside_it()
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "renamed");
        var backup = Path.Combine(cluster.WorkDirectory, "backup");
        await using (var receiver = run.StartReceiver())
        {
            await receiver.WaitForStderrAsync("starting log streaming", Timeout);
            await cluster.RunProgramAsync("pg_basebackup", ["-h", cluster.Host, "-p", PointInTimeRecoveryTests.Port(cluster), "-U", cluster.SuperUser,
                "-D", backup, "-X", "none", "-c", "fast", "--no-sync"], Ct);
            await cluster.ExecuteAsync("select pg_switch_wal(); create table kept(x int); insert into kept select generate_series(1, 1000)", Ct);
            var target = Lsn.Parse((await cluster.QueryScalarAsync<string>("select pg_current_wal_lsn()::text", Ct))!);
            await cluster.ExecuteAsync("insert into kept select generate_series(1001, 2000)", Ct);
            var end = Lsn.Parse((await cluster.QueryScalarAsync<string>("select pg_current_wal_lsn()::text", Ct))!);
            Assert.Equal(WalFileName.Format(1, target, new WalSegmentSize(cluster.WalSegmentSize)), WalFileName.Format(1, end, new WalSegmentSize(cluster.WalSegmentSize)));
            await run.WaitForFlushAsync(end, Timeout);
            receiver.Signal(PosixSignal.Terminate);
            Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));

            // The operator's move: the newest segment is only a .partial, and the target is in it.
            var partial = Assert.Single(Directory.GetFiles(run.Directory, "*.partial"));
            File.Move(partial, partial[..^WalFileName.PartialSuffix.Length]);
            var (port, log) = await PointInTimeRecoveryTests.RestoreAsync(cluster, backup, run.Directory, $"recovery_target_lsn = '{target}'\n", Ct);
            try
            {
                await using var restored = new Npgsql.NpgsqlConnection($"Host=127.0.0.1;Port={port};Username={cluster.SuperUser};Pooling=false");
                await restored.OpenAsync(Ct);
                await using var count = new Npgsql.NpgsqlCommand("select count(*) from kept", restored);
                Assert.Equal(1000L, await count.ExecuteScalarAsync(Ct));
                var text = await File.ReadAllTextAsync(log, Ct);
                Assert.DoesNotContain("wrong size", text, StringComparison.Ordinal);
                Assert.Contains("recovery stopping after WAL location", text, StringComparison.Ordinal);
            }
            finally
            {
                await cluster.RunProgramAsync("pg_ctl", ["-D", backup, "-m", "immediate", "-w", "stop"], CancellationToken.None);
            }
        }
    }
}

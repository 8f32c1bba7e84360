using System.Globalization;
using Npgsql;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Streaming;

/// <summary>
/// <c>restore_command = 'walreceiver restore ...'</c> driven by PostgreSQL itself: a point-in-time recovery from an
/// archive the receiver compressed (<c>-Z zstd</c>), no committed transaction lost when the primary dies (with
/// <c>--partial</c>), and a damaged archive file stopping recovery instead of ending it early.
/// </summary>
public sealed class WalreceiverRestoreTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_zstd_archive_restores_a_base_backup_to_a_target_time()
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), Ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "pitrtime");
        var backup = Path.Combine(cluster.WorkDirectory, "backup");
        await using (var receiver = run.StartReceiver("-Z", "zstd"))
        {
            await receiver.WaitForStderrAsync("starting log streaming", Timeout);
            await BaseBackupAsync(cluster, backup);
            await cluster.ExecuteAsync("create table pitr(x int); insert into pitr select generate_series(1, 1000)", Ct);
            var target = (await cluster.QueryScalarAsync<string>("select clock_timestamp()::text", Ct))!;
            await Task.Delay(TimeSpan.FromMilliseconds(300), Ct); // commit timestamps after the target differ from it
            await cluster.ExecuteAsync("insert into pitr select generate_series(1001, 50000)", Ct);
            var end = await cluster.GenerateWalAsync(10);
            await run.WaitForFlushAsync(end, Timeout);
            receiver.Signal(PosixSignal.Terminate);
            Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));

            var compressed = CompressedCompleteSegments(run.Directory);
            Assert.True(compressed.Count >= 2, $"only {compressed.Count} complete segments were archived");

            var (port, log) = await PointInTimeRecoveryTests.RestoreAsync(cluster, backup, run.Directory,
                $"recovery_target_time = '{target}'\n", Ct, PointInTimeRecoveryTests.WalreceiverRestore(run.Directory));
            try
            {
                Assert.Equal(1000L, await QueryAsync<long>(port, cluster, "select count(*) from pitr"));
                var text = await File.ReadAllTextAsync(log, Ct);
                AssertLog(text, "recovery stopping before commit of transaction");
                AssertLog(text, "restored log file");
                Assert.DoesNotContain("walreceiver: error", text, StringComparison.Ordinal);
            }
            finally
            {
                await StopAsync(cluster, backup);
            }
        }
    }

    [Fact]
    public async Task A_commit_acknowledged_by_the_synchronous_receiver_survives_the_primary_with_partial_and_is_lost_without()
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), Ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "golden");
        var backup = Path.Combine(cluster.WorkDirectory, "backup");
        await using var receiver = run.StartReceiver("--synchronous");
        await receiver.WaitForStderrAsync("starting log streaming", Timeout);
        await cluster.ExecuteAsync($"alter system set synchronous_standby_names = '\"{run.ApplicationName}\"'; select pg_reload_conf()", Ct);
        await CliTestSupport.WaitUntilAsync(
            async () => await cluster.QueryScalarAsync<string>(
                $"select sync_state from pg_stat_replication where application_name = '{run.ApplicationName}'", Ct) == "sync",
            Timeout, () => $"the receiver to be the synchronous standby; stderr:\n{receiver.Stderr}");

        await BaseBackupAsync(cluster, backup);
        // The backup's end goes into a complete segment, so a recovery that never sees the .partial still becomes consistent.
        await cluster.ExecuteAsync("create table golden(x int)", Ct);
        await cluster.ExecuteAsync("select pg_switch_wal()", Ct); // on its own: one string is one transaction
        for (var i = 1; i <= 20; i++)
            await cluster.ExecuteAsync($"insert into golden values ({i})", Ct);
        const int last = 4242;
        await cluster.ExecuteAsync($"insert into golden values ({last})", Ct); // returned: the receiver has it on disk
        await cluster.StopAsync("immediate", Ct);
        receiver.Signal(PosixSignal.Terminate);
        await receiver.WaitForExitAsync(Timeout);
        var partial = Assert.Single(Directory.GetFiles(run.Directory, "*.partial"));

        var without = backup + "-without-partial";
        await ProcessRunner.RunAsync("cp", ["-a", backup, without], asServerAccount: false, Ct);
        var (port, log) = await PointInTimeRecoveryTests.RestoreAsync(cluster, backup, run.Directory, "", Ct,
            PointInTimeRecoveryTests.WalreceiverRestore(run.Directory, partial: true));
        try
        {
            Assert.Equal(last, await QueryAsync<int>(port, cluster, "select max(x) from golden"));
            Assert.Equal(21L, await QueryAsync<long>(port, cluster, "select count(*) from golden"));
            AssertLog(await File.ReadAllTextAsync(log, Ct), "archive recovery complete");
        }
        finally
        {
            await StopAsync(cluster, backup);
        }

        // The negative control: the same archive without --partial ends recovery before the newest segment.
        (port, log) = await PointInTimeRecoveryTests.RestoreAsync(cluster, without, run.Directory, "", Ct,
            PointInTimeRecoveryTests.WalreceiverRestore(run.Directory), "restore-without-partial.log");
        try
        {
            Assert.Equal(0L, await QueryAsync<long>(port, cluster, "select count(*) from golden"));
            Assert.Contains($"\"{Path.GetFileName(partial)}\" is, but only --partial serves it", await File.ReadAllTextAsync(log, Ct),
                StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(cluster, without);
        }
    }

    [Fact]
    public async Task A_damaged_segment_stops_recovery_where_a_missing_one_ends_it()
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), Ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "damaged");
        var backup = Path.Combine(cluster.WorkDirectory, "backup");
        await using (var receiver = run.StartReceiver("-Z", "zstd"))
        {
            await receiver.WaitForStderrAsync("starting log streaming", Timeout);
            await BaseBackupAsync(cluster, backup);
            // One statement per call: a string of several is one transaction, whose commit would follow the switch.
            await cluster.ExecuteAsync("select pg_switch_wal()", Ct);
            await cluster.ExecuteAsync("create table kept(x int)", Ct);
            for (var i = 1; i <= 4; i++)
            {
                await cluster.ExecuteAsync($"insert into kept values ({i})", Ct);
                await cluster.ExecuteAsync("select pg_switch_wal()", Ct);
            }

            var end = Lsn.Parse((await cluster.QueryScalarAsync<string>("select pg_current_wal_lsn()::text", Ct))!);
            await run.WaitForFlushAsync(end, Timeout);
            receiver.Signal(PosixSignal.Terminate);
            Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));
        }

        // A segment after the backup's end, with rows after it: the third insert's (the fourth's is the last complete one).
        var segments = CompressedCompleteSegments(run.Directory);
        var victim = segments[^2];
        var missing = CopyArchive(run.Directory, "missing");
        File.Delete(Path.Combine(missing, Path.GetFileName(victim)));
        var bytes = await File.ReadAllBytesAsync(victim, Ct);
        await File.WriteAllBytesAsync(victim, bytes[..(bytes.Length / 2)], Ct);

        var without = backup + "-missing";
        await ProcessRunner.RunAsync("cp", ["-a", backup, without], asServerAccount: false, Ct);
        var start = await Record.ExceptionAsync(() => PointInTimeRecoveryTests.RestoreAsync(cluster, backup, run.Directory, "", Ct,
            PointInTimeRecoveryTests.WalreceiverRestore(run.Directory)));
        var log = Path.Combine(cluster.WorkDirectory, "restore.log");
        var text = await File.ReadAllTextAsync(log, Ct);
        Assert.True(start is InvalidOperationException, $"the server started on a damaged archive; its log:\n{text}");
        AssertLog(text, $"FATAL:  could not restore file \"{Path.GetFileNameWithoutExtension(victim)}\" from archive");
        AssertLog(text, "exit code 255");
        AssertLog(text, "is damaged");
        Assert.DoesNotContain("archive recovery complete", text, StringComparison.Ordinal);

        // A missing file is the end of the archive (exit 1): recovery ends early and the server promotes without the rest.
        var (port, missingLog) = await PointInTimeRecoveryTests.RestoreAsync(cluster, without, missing, "", Ct,
            PointInTimeRecoveryTests.WalreceiverRestore(missing), "restore-missing.log");
        try
        {
            Assert.Equal(2L, await QueryAsync<long>(port, cluster, "select count(*) from kept"));
            AssertLog(await File.ReadAllTextAsync(missingLog, Ct), "archive recovery complete");
        }
        finally
        {
            await StopAsync(cluster, without);
        }
    }

    private static void AssertLog(string log, string expected) =>
        Assert.True(log.Contains(expected, StringComparison.Ordinal), $"the server log does not say \"{expected}\":\n{log}");

    private static async Task BaseBackupAsync(PostgresCluster cluster, string backup) =>
        await cluster.RunProgramAsync("pg_basebackup", ["-h", cluster.Host, "-p", PointInTimeRecoveryTests.Port(cluster), "-U", cluster.SuperUser,
            "-D", backup, "-X", "none", "-c", "fast", "--no-sync"], Ct);

    /// <summary>
    /// The complete segments the receiver wrote as NAME.zst, in order; asserts that no complete segment is plain, so a
    /// recovery from the archive reads only what -Z zstd wrote.
    /// </summary>
    private static List<string> CompressedCompleteSegments(string directory)
    {
        var names = Directory.GetFiles(directory).Select(Path.GetFileName).OfType<string>().ToList();
        Assert.DoesNotContain(names, n => ArchiveFileName.IsSegmentName(n));
        return [.. names.Where(n => n.EndsWith(".zst", StringComparison.Ordinal) && ArchiveFileName.IsSegmentName(n.AsSpan(0, n.Length - 4)))
            .Order(StringComparer.Ordinal)
            .Select(n => Path.Combine(directory, n))];
    }

    private static string CopyArchive(string directory, string suffix)
    {
        var copy = directory + "-" + suffix;
        Directory.CreateDirectory(copy);
        foreach (var f in Directory.GetFiles(directory))
            File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        return copy;
    }

    private static async Task<T?> QueryAsync<T>(int port, PostgresCluster cluster, string sql)
    {
        await using var connection = new NpgsqlConnection(string.Create(CultureInfo.InvariantCulture,
            $"Host=127.0.0.1;Port={port};Username={cluster.SuperUser};Pooling=false"));
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(Ct);
        return value is DBNull ? default : (T)value!;
    }

    private static async Task StopAsync(PostgresCluster cluster, string dataDirectory) =>
        await cluster.RunProgramAsync("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None);
}

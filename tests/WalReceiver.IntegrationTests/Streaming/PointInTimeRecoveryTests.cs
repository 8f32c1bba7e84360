using WalReceiver.IntegrationTests.Fixtures;

namespace WalReceiver.IntegrationTests.Streaming;

/// <summary>
/// The archive is a restore source: a base backup taken without WAL, plus <c>restore_command = 'cp ARCHIVE/%f %p'</c>,
/// recovers to a chosen LSN, and <c>pg_waldump</c> reads every archived segment.
/// </summary>
public sealed class PointInTimeRecoveryTests
{
    [Fact]
    public async Task Archive_restores_a_base_backup_to_a_chosen_lsn_and_pg_waldump_reads_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "pitr");
        await using var receiver = run.StartReceiver();
        await receiver.WaitForStderrAsync("starting log streaming", TimeSpan.FromSeconds(60));

        var backup = Path.Combine(cluster.WorkDirectory, "backup");
        await cluster.RunProgramAsync("pg_basebackup", ["-h", cluster.Host, "-p", Port(cluster), "-U", cluster.SuperUser, "-D", backup,
            "-X", "none", "-c", "fast", "--no-sync"], ct);
        await cluster.ExecuteAsync("create table pitr(x int); insert into pitr select generate_series(1, 1000)", ct);
        var target = (await cluster.QueryScalarAsync<string>("select pg_current_wal_lsn()::text", ct))!;
        await cluster.ExecuteAsync("insert into pitr select generate_series(1001, 50000)", ct);
        var end = await ArchiveAssert.GenerateWalAsync(cluster, 10);
        await run.WaitForFlushAsync(end, TimeSpan.FromSeconds(60));
        receiver.Signal(Cli.PosixSignal.Terminate);
        Assert.Equal(0, await receiver.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await ArchiveAssert.MatchesServerAsync(cluster, run.Directory, minimumComplete: 2);

        var segments = Directory.GetFiles(run.Directory).Select(Path.GetFileName).Where(n => !n!.EndsWith(".partial", StringComparison.Ordinal)
            && n.StartsWith("0000", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        GrantReadAccess(run.Directory);
        var dump = await cluster.RunProgramAsync("pg_waldump", ["-p", run.Directory, segments[0]!, segments[^1]!], ct);
        Assert.Contains("COMMIT", dump, StringComparison.Ordinal);
        var (port, log) = await RestoreAsync(cluster, backup, run.Directory, $"recovery_target_lsn = '{target}'\n", ct);
        try
        {
            await using var restored = new Npgsql.NpgsqlConnection($"Host=127.0.0.1;Port={port};Username={cluster.SuperUser};Pooling=false");
            await restored.OpenAsync(ct);
            await using var cmd = new Npgsql.NpgsqlCommand("select count(*) from pitr", restored);
            Assert.Equal(1000L, await cmd.ExecuteScalarAsync(ct));
            Assert.Contains("recovery stopping after WAL location", await File.ReadAllTextAsync(log, ct), StringComparison.Ordinal);
        }
        finally
        {
            await cluster.RunProgramAsync("pg_ctl", ["-D", backup, "-m", "immediate", "-w", "stop"], CancellationToken.None);
        }
    }

    [Fact]
    public async Task Archive_taken_across_a_promotion_restores_to_a_point_after_it_with_the_latest_timeline()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var primary = await PostgresCluster.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), ct);
        await using var standby = await primary.CreateStandbyAsync(ct);
        await using var run = await ArchiveRun.StartAsync(standby, "pitrtl");
        await using var receiver = run.StartReceiver();
        await receiver.WaitForStderrAsync("starting log streaming", TimeSpan.FromSeconds(60));

        var backup = Path.Combine(primary.WorkDirectory, "backup");
        await primary.RunProgramAsync("pg_basebackup", ["-h", primary.Host, "-p", Port(primary), "-U", primary.SuperUser, "-D", backup,
            "-X", "none", "-c", "fast", "--no-sync"], ct);
        await primary.ExecuteAsync("create table pitr(x int, tli int); insert into pitr select g, 1 from generate_series(1, 1000) g", ct);
        var last = await ArchiveAssert.GenerateWalAsync(primary, 10, switchWal: false);
        await ArchiveAssert.WaitForReplayAsync(standby, last);
        await standby.PromoteAsync(ct);
        await standby.ExecuteAsync("insert into pitr select g, 2 from generate_series(1, 500) g", ct);
        var target = (await standby.QueryScalarAsync<string>("select pg_current_wal_lsn()::text", ct))!;
        await standby.ExecuteAsync("insert into pitr select g, 2 from generate_series(501, 5000) g", ct);
        var end = await ArchiveAssert.GenerateWalAsync(standby, 10);
        await run.WaitForFlushAsync(end, TimeSpan.FromSeconds(60));
        receiver.Signal(Cli.PosixSignal.Terminate);
        Assert.Equal(0, await receiver.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        var (port, log) = await RestoreAsync(primary, backup, run.Directory, $"recovery_target_lsn = '{target}'\nrecovery_target_timeline = 'latest'\n", ct);
        try
        {
            await using var restored = new Npgsql.NpgsqlConnection($"Host=127.0.0.1;Port={port};Username={primary.SuperUser};Pooling=false");
            await restored.OpenAsync(ct);
            await using var cmd = new Npgsql.NpgsqlCommand("select count(*) filter (where tli = 1) * 10000 + count(*) filter (where tli = 2) from pitr", restored);
            Assert.Equal(1000L * 10000 + 500, await cmd.ExecuteScalarAsync(ct)); // all of timeline 1, and timeline 2 up to the target
            Assert.Contains("restored log file \"00000002.history\"", await File.ReadAllTextAsync(log, ct), StringComparison.Ordinal);
        }
        finally
        {
            await primary.RunProgramAsync("pg_ctl", ["-D", backup, "-m", "immediate", "-w", "stop"], CancellationToken.None);
        }
    }

    // Starts the base backup as a server that restores from the archive with cp, and returns its port and log file.
    internal static async Task<(int Port, string Log)> RestoreAsync(PostgresCluster cluster, string backup, string archive, string recovery,
        CancellationToken ct)
    {
        GrantReadAccess(archive);
        var port = Cli.CliTestSupport.ClosedPort();
        await File.AppendAllTextAsync(Path.Combine(backup, "postgresql.conf"),
            $"\nport = {port}\nunix_socket_directories = '{cluster.WorkDirectory}'\nrestore_command = 'cp {archive}/%f %p'\n" +
            recovery + "recovery_target_action = 'promote'\n", ct);
        await File.WriteAllTextAsync(Path.Combine(backup, "recovery.signal"), "", ct);
        var log = Path.Combine(cluster.WorkDirectory, "restore.log");
        await cluster.RunProgramAsync("pg_ctl", ["-D", backup, "-l", log, "-w", "-t", "60", "start"], ct);
        return (port, log);
    }

    // The restoring server and pg_waldump run as the server's OS user; the archive is 0600/0700, so the operator grants read.
    internal static void GrantReadAccess(string archive)
    {
        foreach (var f in Directory.GetFiles(archive))
            File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(archive, (UnixFileMode)0b111_101_101);
    }

    internal static string Port(PostgresCluster c) => c.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

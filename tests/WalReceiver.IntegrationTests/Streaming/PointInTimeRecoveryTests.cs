using WalReceiver.IntegrationTests.Fixtures;

namespace WalReceiver.IntegrationTests.Streaming;

/// <summary>
/// The archive is a restore source: a base backup taken without WAL, plus <c>restore_command = 'cp ARCHIVE/%f %p'</c>
/// (or <c>walreceiver restore</c>), recovers to a chosen LSN, and <c>pg_waldump</c> reads every archived segment.
/// </summary>
public sealed class PointInTimeRecoveryTests
{
    [Fact]
    public async Task Archive_restores_a_base_backup_to_a_chosen_lsn_and_pg_waldump_reads_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "pitr");
        await using var receiver = run.StartReceiver();
        await receiver.WaitForStderrAsync("starting log streaming", TimeSpan.FromSeconds(60));

        var backup = Path.Combine(cluster.WorkDirectory, "backup");
        await cluster.RunProgramAsync("pg_basebackup", ["-h", cluster.Host, "-p", Port(cluster), "-U", cluster.SuperUser, "-D", backup,
            "-X", "none", "-c", "fast", "--no-sync"], ct);
        await cluster.ExecuteAsync("create table pitr(x int); insert into pitr select generate_series(1, 1000)", ct);
        var target = (await cluster.QueryScalarAsync<string>("select pg_current_wal_lsn()::text", ct))!;
        await cluster.ExecuteAsync("insert into pitr select generate_series(1001, 50000)", ct);
        var end = await cluster.GenerateWalAsync(10);
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Archive_taken_across_a_promotion_restores_to_a_point_after_it_with_the_latest_timeline(bool throughWalreceiverRestore)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var primary = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), ct);
        await using var standby = await primary.CreateStandbyAsync(ct);
        await using var run = await ArchiveRun.StartAsync(standby, "pitrtl");
        await using var receiver = run.StartReceiver();
        await receiver.WaitForStderrAsync("starting log streaming", TimeSpan.FromSeconds(60));

        var backup = Path.Combine(primary.WorkDirectory, "backup");
        await primary.RunProgramAsync("pg_basebackup", ["-h", primary.Host, "-p", Port(primary), "-U", primary.SuperUser, "-D", backup,
            "-X", "none", "-c", "fast", "--no-sync"], ct);
        await primary.ExecuteAsync("create table pitr(x int, tli int); insert into pitr select g, 1 from generate_series(1, 1000) g", ct);
        var last = await primary.GenerateWalAsync(10, switchWal: false);
        await standby.WaitForReplayAsync(last);
        await standby.PromoteAsync(ct);
        await standby.ExecuteAsync("insert into pitr select g, 2 from generate_series(1, 500) g", ct);
        var target = (await standby.QueryScalarAsync<string>("select pg_current_wal_lsn()::text", ct))!;
        await standby.ExecuteAsync("insert into pitr select g, 2 from generate_series(501, 5000) g", ct);
        var end = await standby.GenerateWalAsync(10);
        await run.WaitForFlushAsync(end, TimeSpan.FromSeconds(60));
        receiver.Signal(Cli.PosixSignal.Terminate);
        Assert.Equal(0, await receiver.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        var (port, log) = await RestoreAsync(primary, backup, run.Directory, $"recovery_target_lsn = '{target}'\nrecovery_target_timeline = 'latest'\n", ct,
            throughWalreceiverRestore ? WalreceiverRestore(run.Directory) : null);
        try
        {
            await using var restored = new Npgsql.NpgsqlConnection($"Host=127.0.0.1;Port={port};Username={primary.SuperUser};Pooling=false");
            await restored.OpenAsync(ct);
            await using var cmd = new Npgsql.NpgsqlCommand("select count(*) filter (where tli = 1) * 10000 + count(*) filter (where tli = 2) from pitr", restored);
            Assert.Equal(1000L * 10000 + 500, await cmd.ExecuteScalarAsync(ct)); // all of timeline 1, and timeline 2 up to the target
            var text = await File.ReadAllTextAsync(log, ct);
            Assert.Contains("restored log file \"00000002.history\"", text, StringComparison.Ordinal);
            Assert.Contains("recovery stopping after WAL location", text, StringComparison.Ordinal);
        }
        finally
        {
            await primary.RunProgramAsync("pg_ctl", ["-D", backup, "-m", "immediate", "-w", "stop"], CancellationToken.None);
        }
    }

    // Starts the base backup as a server that restores from the archive (with cp unless told otherwise), and returns its
    // port and log file.
    internal static async Task<(int Port, string Log)> RestoreAsync(PostgresCluster cluster, string backup, string archive, string recovery,
        CancellationToken ct, string? restoreCommand = null, string logName = "restore.log")
    {
        var (port, log) = await PrepareRestoreAsync(cluster, backup, archive, recovery, ct, restoreCommand, logName);
        await cluster.RunProgramAsync("pg_ctl", ["-D", backup, "-l", log, "-w", "-t", "60", "start"], ct);
        await WaitForEndOfRecoveryAsync(port, cluster.SuperUser, log, ct);
        return (port, log);
    }

    // pg_ctl start -w returns once a hot standby accepts read-only connections, while WAL is still being replayed: wait
    // until the server has promoted, or fail (InvalidOperationException) when the server gave up.
    private static async Task WaitForEndOfRecoveryAsync(int port, string user, string log, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await using var connection = new Npgsql.NpgsqlConnection($"Host=127.0.0.1;Port={port};Username={user};Pooling=false");
                await connection.OpenAsync(ct);
                await using var command = new Npgsql.NpgsqlCommand("select pg_is_in_recovery()", connection);
                if (!(bool)(await command.ExecuteScalarAsync(ct))!)
                    return;
            }
            catch (Npgsql.NpgsqlException)
            {
                // not accepting connections (yet, or any more)
            }

            var text = await File.ReadAllTextAsync(log, ct);
            if (text.Contains("database system is shut down", StringComparison.Ordinal)
                || text.Contains("aborting startup due to startup process failure", StringComparison.Ordinal))
                throw new InvalidOperationException($"the restored server stopped instead of ending recovery; its log:\n{text}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the restored server did not end recovery within 60 s; its log:\n{text}");
            await Task.Delay(100, ct);
        }
    }

    // Writes the recovery settings into the base backup.
    private static async Task<(int Port, string Log)> PrepareRestoreAsync(PostgresCluster cluster, string backup, string archive,
        string recovery, CancellationToken ct, string? restoreCommand = null, string logName = "restore.log")
    {
        GrantReadAccess(archive);
        var port = Cli.CliTestSupport.ClosedPort();
        await File.AppendAllTextAsync(Path.Combine(backup, "postgresql.conf"),
            $"\nport = {port}\nunix_socket_directories = '{cluster.WorkDirectory}'\nrestore_command = '{restoreCommand ?? $"cp {archive}/%f %p"}'\n" +
            recovery + "recovery_target_action = 'promote'\n", ct);
        await File.WriteAllTextAsync(Path.Combine(backup, "recovery.signal"), "", ct);
        return (port, Path.Combine(cluster.WorkDirectory, logName));
    }

    // restore_command through "walreceiver restore", the build under test (or WALRECEIVER_TEST_EXECUTABLE).
    internal static string WalreceiverRestore(string archive, bool partial = false) =>
        $"{ServerReachableCli.Executable} restore {(partial ? "--partial " : "")}-D {archive} %f %p";

    // The restoring server and pg_waldump run as the server's OS user; the archive is 0600/0700, so the operator grants read.
    internal static void GrantReadAccess(string archive)
    {
        foreach (var f in Directory.GetFiles(archive))
            File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(archive, (UnixFileMode)0b111_101_101);
    }

    internal static string Port(PostgresCluster c) => c.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

using System.Globalization;
using Npgsql;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;

namespace WalReceiver.IntegrationTests.Cli;

/// <summary>
/// <c>walreceiver pitr</c> against a real archive and a real recovery: the settings it prints, given to a base backup,
/// recover exactly the transactions committed before the target, for a time, a transaction and a restore point; a
/// target the archive does not reach exits 1, bad input exits 2.
/// </summary>
public sealed class PitrCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_printed_settings_recover_exactly_the_rows_committed_before_a_time_an_xid_and_a_restore_point()
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), Ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "pitrplan");
        var backup = Path.Combine(cluster.WorkDirectory, "backup");
        string time;
        long xid;
        WalReceiver.Wal.Lsn middle;
        await using (var receiver = run.StartReceiver())
        {
            await receiver.WaitForStderrAsync("starting log streaming", Timeout);
            await cluster.RunProgramAsync("pg_basebackup", ["-h", cluster.Host, "-p", PointInTimeRecoveryTests.Port(cluster), "-U", cluster.SuperUser,
                "-D", backup, "-X", "none", "-c", "fast", "--no-sync"], Ct);
            await cluster.ExecuteAsync("create table orders(id int)", Ct);
            for (var id = 1; id <= 3; id++)
                await cluster.ExecuteAsync($"insert into orders values ({id})", Ct);
            time = (await cluster.QueryScalarAsync<string>("select clock_timestamp()::text", Ct))!; // after 3, before 4
            await Task.Delay(TimeSpan.FromMilliseconds(50), Ct);
            await cluster.ExecuteAsync("insert into orders values (4)", Ct);
            xid = await cluster.QueryScalarAsync<long>("select xmin::text::bigint from orders where id = 4", Ct);
            await cluster.ExecuteAsync("insert into orders values (5)", Ct);
            await cluster.ExecuteAsync("select pg_create_restore_point('before_6')", Ct);
            middle = await cluster.CurrentWalLsnAsync(Ct);
            await cluster.GenerateWalAsync(20_000, switchWal: false, Ct); // a segment boundary or more between the targets
            await run.WaitForFlushAsync(await cluster.CurrentWalLsnAsync(Ct), Timeout);
            receiver.Signal(PosixSignal.Interrupt);
            Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));
        }

        // A restart streams again from the start of the .partial's segment, which usually begins inside a record: the
        // receiver reads the segment before it from the archive first, so that segment's index misses nothing.
        await using (var receiver = run.StartReceiver())
        {
            await cluster.GenerateWalAsync(10_000, switchWal: false, Ct);
            await cluster.ExecuteAsync("insert into orders values (6)", Ct);
            var end = await cluster.SwitchWalAsync(Ct);
            await run.WaitForFlushAsync(end, Timeout);
            receiver.Signal(PosixSignal.Interrupt);
            Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));
        }

        var label = Path.Combine(backup, "backup_label");

        // The receiver wrote an index per completed segment while streaming (all but the archive's first when that begins
        // inside a record from a segment the archive lacks, which verify cannot make either); verify finds each equal to
        // what the WAL says and none missing; and the plan is the same from the indexes as from the WAL alone.
        var targets = Path.Combine(run.Directory, "walreceiver.targets");
        var complete = Directory.GetFiles(run.Directory).Count(f => Path.GetFileName(f).Length == 24);
        var streamed = Directory.GetFiles(targets).Length;
        Assert.InRange(streamed, complete - 1, complete);
        await using (var verify = ReceiverProcess.Start(["verify", "-D", run.Directory]))
        {
            Assert.Equal(0, await verify.WaitForExitAsync(Timeout));
            Assert.Contains($"recovery target indexes: 0 written from the WAL, {streamed} checked against it", verify.Stdout,
                StringComparison.Ordinal);
            Assert.Contains("0 errors, 0 warnings", verify.Stdout, StringComparison.Ordinal);
        }

        var fromIndexes = await PitrAsync(["pitr", "-D", run.Directory, "--time", time]);
        Directory.Move(targets, targets + ".away");
        var fromWal = await PitrAsync(["pitr", "-D", run.Directory, "--time", time]);
        Directory.Move(targets + ".away", targets);
        Assert.Equal(fromWal.Output, fromIndexes.Output);

        var cases = new (string[] Target, long[] Rows, string Stop)[]
        {
            (["--time", time], [1, 2, 3], $"recovery stops before the commit of transaction {xid} "),
            (["--xid", xid.ToString(CultureInfo.InvariantCulture)], [1, 2, 3, 4], $"recovery stops after the commit of transaction {xid} "),
            (["--name", "before_6"], [1, 2, 3, 4, 5], "recovery stops after the restore point \"before_6\" "),
        };
        foreach (var (target, rows, stop) in cases)
        {
            var (code, output) = await PitrAsync(["pitr", "-D", run.Directory, "--backup-label", label, .. target]);
            Assert.True(code == 0, output);
            Assert.Contains(stop, output, StringComparison.Ordinal);
            Assert.Contains("reachable yes", output, StringComparison.Ordinal);
            var settings = Settings(output);
            Assert.Equal($"restore_command = '{ReceiverProcess.Executable} restore -D {Path.GetFullPath(run.Directory)} %f %p'", settings[0]);
            Assert.Contains("recovery_target_timeline = '1'", settings);
            Assert.Contains("recovery_target_action = 'promote'", settings);

            // The printed settings, in a copy of the base backup; restore_command runs the same program from where the
            // server's account can reach it (ServerReachableCli), and the action is the printed one (RestoreAsync adds it).
            var copy = backup + "-" + target[0].TrimStart('-');
            await ProcessRunner.RunAsync("cp", ["-a", backup, copy], asServerAccount: false, Ct);
            var recovery = string.Concat(settings.Where(s => !s.StartsWith("restore_command", StringComparison.Ordinal)
                && !s.StartsWith("recovery_target_action", StringComparison.Ordinal)).Select(s => s + "\n"));
            var (port, log) = await PointInTimeRecoveryTests.RestoreAsync(cluster, copy, run.Directory, recovery, Ct,
                PointInTimeRecoveryTests.WalreceiverRestore(run.Directory), logName: $"restore-{target[0].TrimStart('-')}.log");
            try
            {
                await using var restored = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username={cluster.SuperUser};Pooling=false");
                await restored.OpenAsync(Ct);
                await using var command = new NpgsqlCommand("select coalesce(array_agg(id order by id), '{}') from orders", restored);
                Assert.Equal(rows.Select(r => (int)r).ToArray(), (int[])(await command.ExecuteScalarAsync(Ct))!);
                Assert.Contains("recovery stopping", await File.ReadAllTextAsync(log, Ct), StringComparison.Ordinal);
            }
            finally
            {
                await cluster.RunProgramAsync("pg_ctl", ["-D", copy, "-m", "immediate", "-w", "stop"], CancellationToken.None);
            }
        }

        // After the last commit nothing tells recovery it got there: unreachable, exit 1, and no settings to copy.
        var late = await PitrAsync(["pitr", "-D", run.Directory, "--time", DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-dd HH:mm:sszzz", CultureInfo.InvariantCulture)]);
        Assert.Equal(1, late.Code);
        Assert.Contains("the archive cannot reach the target", late.Output, StringComparison.Ordinal);
        Assert.Empty(Settings(late.Output));
        Assert.Contains("reachable NO", late.Output, StringComparison.Ordinal);
        var lsn = await PitrAsync(["pitr", "-D", run.Directory, "--lsn", middle.ToString()]);
        Assert.True(lsn.Code == 0, lsn.Output);
        Assert.Contains($"the first that starts at or after {middle}", lsn.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "pitr", "-D", "DIR" }, "no recovery target")]
    [InlineData(new[] { "pitr", "-D", "DIR", "--time", "2026-11-24 10:00:00" }, "with its UTC offset")]
    [InlineData(new[] { "pitr", "-D", "DIR", "--xid", "12x" }, "could not parse --xid")]
    [InlineData(new[] { "pitr", "-D", "DIR", "--lsn", "0/1", "--xid", "5" }, "give one recovery target")]
    [InlineData(new[] { "pitr", "-D", "/nonexistent/archive", "--xid", "5" }, "does not exist")]
    [InlineData(new[] { "pitr", "-D", "DIR", "--xid", "5", "--start-lsn", "zz" }, "could not parse --start-lsn")]
    public async Task Bad_input_exits_2_naming_the_fix(string[] args, string message)
    {
        var directory = CliTestSupport.CreateDirectory(Path.GetTempPath(), "pitr-bad");
        try
        {
            var (code, stderr) = await ReceiverProcess.RunAsync(args.Select(a => a == "DIR" ? directory : a), Timeout);
            Assert.Equal(2, code);
            Assert.Contains(message, stderr, StringComparison.Ordinal);
        }
        finally
        {
            CliTestSupport.DeleteDirectory(directory);
        }
    }

    private static async Task<(int Code, string Output)> PitrAsync(string[] args)
    {
        await using var p = ReceiverProcess.Start(args);
        var code = await p.WaitForExitAsync(Timeout);
        return (code, p.Stdout + p.Stderr);
    }

    private static List<string> Settings(string output) =>
        [.. output.Split('\n').SkipWhile(l => !l.StartsWith("settings", StringComparison.Ordinal)).Skip(1)
            .Where(l => l.StartsWith("  ", StringComparison.Ordinal)).Select(l => l.Trim())];
}

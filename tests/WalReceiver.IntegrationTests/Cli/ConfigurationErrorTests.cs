using System.Diagnostics;
using System.Globalization;
using WalReceiver.IntegrationTests.Fixtures;

namespace WalReceiver.IntegrationTests.Cli;

/// <summary>
/// Problems the user must fix (exit 3) end the run at once, even without <c>-n</c>; a server that cannot be reached is
/// retried without <c>-n</c> and ends the run (exit 1) with it.
/// </summary>
public sealed class ConfigurationErrorTests(SharedCluster shared)
{
    /// <summary>Far below what a retry loop would need to give up on its own: these must not be retried at all.</summary>
    private static readonly TimeSpan ImmediateExit = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Missing_slot_exits_3_with_a_hint_to_create_it()
    {
        var cluster = shared.Cluster;
        var directory = CliTestSupport.CreateDirectory(cluster.WorkDirectory, "noslot");
        var slot = CliTestSupport.UniqueName("nosuchslot");

        var (code, stderr) = await ReceiverProcess.RunAsync(
            ["receive", .. ReceiverProcess.ConnectionArgs(cluster), "-S", slot, "-D", directory], ImmediateExit);

        Assert.True(code == 3, $"exit code {code}, stderr:\n{stderr}");
        Assert.Contains($"\"{slot}\" does not exist", stderr);
        Assert.Contains("--create-slot", stderr);
        // nothing but the lock that kept other receivers out while this one ran
        Assert.Equal(["walreceiver.lock"], Directory.GetFileSystemEntries(directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Role_without_replication_exits_3_naming_the_replication_attribute()
    {
        var cluster = shared.Cluster;
        var directory = CliTestSupport.CreateDirectory(cluster.WorkDirectory, "norepl");
        var role = CliTestSupport.UniqueName("norepl");
        await cluster.ExecuteAsync($"create role {role} login", Ct);
        try
        {
            var (code, stderr) = await ReceiverProcess.RunAsync(
                ["receive", "-h", cluster.Host, "-p", Port(cluster), "-U", role, "-D", directory], ImmediateExit, Password(cluster));

            Assert.True(code == 3, $"exit code {code}, stderr:\n{stderr}");
            Assert.Contains("REPLICATION", stderr);
        }
        finally
        {
            await cluster.ExecuteAsync($"drop role if exists {role}", CancellationToken.None);
        }
    }

    [Fact]
    public async Task Wrong_password_exits_3_and_never_echoes_the_password()
    {
        var cluster = shared.Cluster;
        await using var role = await PasswordRole.CreateAsync(cluster);
        var directory = CliTestSupport.CreateDirectory(cluster.WorkDirectory, "pw-wrong");

        var (code, stderr) = await ReceiverProcess.RunAsync(
            ["receive", "-h", cluster.Host, "-p", Port(cluster), "-U", role.Name, "-D", directory], ImmediateExit,
            new Dictionary<string, string> { ["PGPASSWORD"] = "wrong" });

        Assert.True(code == 3, $"exit code {code}, stderr:\n{stderr}");
        Assert.Contains("password", stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("wrong", stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Right_password_connects_and_stops_at_the_end_position()
    {
        var cluster = shared.Cluster;
        await using var role = await PasswordRole.CreateAsync(cluster);
        var directory = CliTestSupport.CreateDirectory(cluster.WorkDirectory, "pw-right");
        // Streaming starts at the start of the server's segment, at or before this position, so it is reached at once.
        var end = await cluster.QueryScalarAsync<string>("select pg_current_wal_lsn()::text", Ct);

        var (code, stderr) = await ReceiverProcess.RunAsync(
            ["receive", "-h", cluster.Host, "-p", Port(cluster), "-U", role.Name, "-D", directory, "-E", end!], ImmediateExit,
            new Dictionary<string, string> { ["PGPASSWORD"] = "right" });

        Assert.True(code == 0, $"exit code {code}, stderr:\n{stderr}");
        Assert.Contains("end position", stderr);
        Assert.DoesNotContain("right", stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Missing_directory_exits_3_naming_it()
    {
        var cluster = shared.Cluster;
        var directory = Path.Combine(cluster.WorkDirectory, "missing-" + Guid.NewGuid().ToString("N")[..12]);

        var (code, stderr) = await ReceiverProcess.RunAsync(
            ["receive", .. ReceiverProcess.ConnectionArgs(cluster), "-D", directory], ImmediateExit, Password(cluster));

        Assert.True(code == 3, $"exit code {code}, stderr:\n{stderr}");
        Assert.Contains(directory, stderr);
        Assert.False(Directory.Exists(directory), "the receiver must not create the directory itself");
    }

    [Fact]
    public async Task Unwritable_directory_exits_3_naming_it()
    {
        var cluster = shared.Cluster;
        // Permissions do not stop root, but nobody can create a file in a process's /proc directory.
        const string directory = "/proc/1";
        Assert.SkipUnless(Directory.Exists(directory) && !CanCreateFileIn(directory), $"{directory} is not an unwritable directory here");

        var (code, stderr) = await ReceiverProcess.RunAsync(
            ["receive", .. ReceiverProcess.ConnectionArgs(cluster), "-D", directory], ImmediateExit, Password(cluster));

        Assert.True(code == 3, $"exit code {code}, stderr:\n{stderr}");
        Assert.Contains($"\"{directory}\"", stderr);
    }

    [Fact]
    public async Task Refused_connection_with_no_loop_exits_1_within_seconds()
    {
        var directory = CliTestSupport.CreateDirectory(Path.GetTempPath(), "walreceiver-refused");
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var (code, stderr) = await ReceiverProcess.RunAsync(
                ["receive", "-h", "127.0.0.1", "-p", ClosedPort(), "-U", "postgres", "-n", "-D", directory], TimeSpan.FromSeconds(10));

            Assert.True(code == 1, $"exit code {code}, stderr:\n{stderr}");
            Assert.Contains("could not connect", stderr);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        }
        finally
        {
            CliTestSupport.DeleteDirectory(directory);
        }
    }

    [Fact]
    public async Task Refused_connection_without_no_loop_is_retried_until_sigterm_which_exits_0()
    {
        var directory = CliTestSupport.CreateDirectory(Path.GetTempPath(), "walreceiver-retry");
        try
        {
            var stopwatch = Stopwatch.StartNew();
            await using var receiver = ReceiverProcess.Start(
                ["receive", "-h", "127.0.0.1", "-p", ClosedPort(), "-U", "postgres", "-D", directory]);
            await receiver.WaitForStderrAsync("trying again", TimeSpan.FromSeconds(10));

            // This test is about time passing: three seconds of refusals must not end the run.
            var left = TimeSpan.FromSeconds(3) - stopwatch.Elapsed;
            if (left > TimeSpan.Zero)
                await Task.Delay(left, Ct);
            AssertStillRunning(receiver);
            Assert.DoesNotContain("fatal", receiver.Stderr, StringComparison.OrdinalIgnoreCase);

            receiver.Signal(PosixSignal.Terminate);
            var code = await receiver.WaitForExitAsync(TimeSpan.FromSeconds(10));

            Assert.True(code == 0, $"exit code {code}, stderr:\n{receiver.Stderr}");
        }
        finally
        {
            CliTestSupport.DeleteDirectory(directory);
        }
    }

    private static string Port(PostgresCluster cluster) => cluster.Port.ToString(CultureInfo.InvariantCulture);

    private static string ClosedPort() => CliTestSupport.ClosedPort().ToString(CultureInfo.InvariantCulture);

    private static Dictionary<string, string>? Password(PostgresCluster cluster) =>
        cluster.Password is { } password ? new Dictionary<string, string> { ["PGPASSWORD"] = password } : null;

    private static bool CanCreateFileIn(string directory)
    {
        try
        {
            using var probe = new FileStream(Path.Combine(directory, "probe-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew,
                FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void AssertStillRunning(ReceiverProcess receiver)
    {
        try
        {
            receiver.Signal(0); // kill(pid, 0): fails once the process is gone
        }
        catch (InvalidOperationException e)
        {
            Assert.Fail($"walreceiver exited while the server was unreachable ({e.Message}). stderr:\n{receiver.Stderr}");
        }
    }
}

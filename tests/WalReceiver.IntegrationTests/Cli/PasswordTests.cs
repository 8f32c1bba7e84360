using System.Globalization;
using WalReceiver.IntegrationTests.Fixtures;

namespace WalReceiver.IntegrationTests.Cli;

/// <summary>Passwords reach the server the ways libpq users expect: a -W prompt, PGPASSFILE, and ~/.pgpass.</summary>
public sealed class PasswordTests(SharedCluster shared)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Password_prompt_reads_the_password_and_connects()
    {
        var cluster = shared.Cluster;
        await using var role = await PasswordRole.CreateAsync(cluster);
        var (directory, end) = await PrepareAsync(cluster, "prompt");
        try
        {
            await using var receiver = ReceiverProcess.Start(["receive", "-W", .. Args(cluster, role.Name, directory, end)]);
            // The prompt has no line end, so it shows in the line-based capture only with what follows; stdin waits for it.
            await receiver.WriteStdinAsync("right\n");
            var code = await receiver.WaitForExitAsync(Timeout);
            Assert.True(code == 0, $"exit code {code}, stderr:\n{receiver.Stderr}");
            Assert.StartsWith("Password: ", receiver.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("right", receiver.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            CliTestSupport.DeleteDirectory(directory);
        }
    }

    [Fact]
    public async Task Pgpassfile_and_home_pgpass_supply_the_password()
    {
        var cluster = shared.Cluster;
        await using var role = await PasswordRole.CreateAsync(cluster);
        var (directory, end) = await PrepareAsync(cluster, "passfile");
        var home = CliTestSupport.CreateDirectory(Path.GetTempPath(), "walreceiver-home");
        try
        {
            var passfile = Path.Combine(home, ".pgpass");
            await File.WriteAllTextAsync(passfile, $"{cluster.Host}:{cluster.Port}:*:{role.Name}:right\n", Ct);
            File.SetUnixFileMode(passfile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

            var viaEnv = await ReceiverProcess.RunAsync(["receive", "-w", .. Args(cluster, role.Name, directory, end)], Timeout,
                new Dictionary<string, string> { ["PGPASSFILE"] = passfile });
            Assert.True(viaEnv.ExitCode == 0, $"PGPASSFILE: exit code {viaEnv.ExitCode}, stderr:\n{viaEnv.Stderr}");

            var viaHome = await ReceiverProcess.RunAsync(["receive", "-w", .. Args(cluster, role.Name, directory, end)], Timeout,
                new Dictionary<string, string> { ["HOME"] = home });
            Assert.True(viaHome.ExitCode == 0, $"~/.pgpass: exit code {viaHome.ExitCode}, stderr:\n{viaHome.Stderr}");

            var without = await ReceiverProcess.RunAsync(["receive", "-w", .. Args(cluster, role.Name, directory, end)], Timeout,
                new Dictionary<string, string> { ["HOME"] = Path.GetTempPath() });
            Assert.True(without.ExitCode == 3, $"no password: exit code {without.ExitCode}, stderr:\n{without.Stderr}");
        }
        finally
        {
            CliTestSupport.DeleteDirectory(directory);
            CliTestSupport.DeleteDirectory(home);
        }
    }

    private static async Task<(string Directory, string End)> PrepareAsync(PostgresCluster cluster, string prefix)
    {
        var directory = CliTestSupport.CreateDirectory(cluster.WorkDirectory, prefix);
        var end = await cluster.QueryScalarAsync<string>("select pg_current_wal_lsn()::text", Ct);
        return (directory, end!);
    }

    private static string[] Args(PostgresCluster cluster, string user, string directory, string end) =>
        ["-h", cluster.Host, "-p", cluster.Port.ToString(CultureInfo.InvariantCulture), "-U", user, "-D", directory, "-E", end, "-n"];
}

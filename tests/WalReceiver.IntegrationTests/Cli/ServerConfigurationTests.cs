using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;

namespace WalReceiver.IntegrationTests.Cli;

/// <summary>How the server is set up changes what the archive looks like, or whether streaming can work at all.</summary>
public sealed class ServerConfigurationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Server_without_wal_senders_exits_3_naming_the_settings_to_change()
    {
        await using var cluster = await TestClusters.StartAsync(
            new PostgresClusterOptions(ExtraConfig: "wal_level = minimal\nmax_wal_senders = 0\narchive_mode = off"), TestContext.Current.CancellationToken);
        var directory = CliTestSupport.CreateDirectory(cluster.WorkDirectory, "minimal");
        var (code, stderr) = await ReceiverProcess.RunAsync(["receive", .. ReceiverProcess.ConnectionArgs(cluster), "-D", directory], Timeout);
        Assert.True(code == 3, $"exit code {code}, stderr:\n{stderr}");
        Assert.Contains("max_wal_senders", stderr, StringComparison.Ordinal);
        Assert.Contains("wal_level", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [InlineData(true, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)]
    public async Task Archived_files_follow_the_server_data_directory_mode(bool groupAccess, UnixFileMode expected)
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(AllowGroupAccess: groupAccess),
            TestContext.Current.CancellationToken);
        await using var run = await ArchiveRun.StartAsync(cluster, groupAccess ? "group" : "owner");
        await cluster.GenerateWalAsync(10_000);
        var end = await cluster.GenerateWalAsync(10, switchWal: false);
        await using var receiver = run.StartReceiver("-n", "-E", end.ToString());
        Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));
        // walreceiver.lock is created (0600) before the server's mode is known, and holds only a process id.
        var files = Directory.GetFiles(run.Directory).Where(f => Path.GetFileName(f) != "walreceiver.lock").ToArray();
        Assert.Contains(files, f => f.EndsWith(".partial", StringComparison.Ordinal));
        Assert.Contains(files, f => !f.EndsWith(".partial", StringComparison.Ordinal));
        Assert.All(files, f => Assert.Equal(expected, File.GetUnixFileMode(f)));
    }
}

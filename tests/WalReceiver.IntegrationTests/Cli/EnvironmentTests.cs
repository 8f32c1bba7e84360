using System.Globalization;
using WalReceiver.IntegrationTests.Fixtures;

namespace WalReceiver.IntegrationTests.Cli;

/// <summary>libpq's environment works without any connection option, and the server sees us as "walreceiver".</summary>
public sealed class EnvironmentTests
{
    [Fact]
    public async Task Pghost_pgport_and_pguser_select_the_server_and_the_default_application_name_is_walreceiver()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(), ct);
        var directory = CliTestSupport.CreateDirectory(cluster.WorkDirectory, "env");
        await using var receiver = ReceiverProcess.Start(["receive", "-D", directory], new Dictionary<string, string>
        {
            ["PGHOST"] = cluster.Host,
            ["PGPORT"] = cluster.Port.ToString(CultureInfo.InvariantCulture),
            ["PGUSER"] = cluster.SuperUser,
        });
        await CliTestSupport.WaitUntilAsync(
            async () => await cluster.QueryScalarAsync<long>(
                "select count(*) from pg_stat_replication where application_name = 'walreceiver' and state = 'streaming'", ct) == 1,
            TimeSpan.FromSeconds(30), () => $"a streaming walsender for application_name 'walreceiver'. stderr:\n{receiver.Stderr}");
        receiver.Signal(PosixSignal.Terminate);
        Assert.Equal(0, await receiver.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        CliTestSupport.DeleteDirectory(directory);
    }
}

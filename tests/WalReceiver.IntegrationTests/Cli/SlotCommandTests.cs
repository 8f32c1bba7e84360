using WalReceiver.IntegrationTests.Fixtures;

namespace WalReceiver.IntegrationTests.Cli;

/// <summary><c>--create-slot</c> and <c>--drop-slot</c> against a real server: what they do, their exit codes and messages.</summary>
public sealed class SlotCommandTests(SharedCluster shared)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_slot_makes_a_physical_slot_that_reserves_wal_at_once()
    {
        var cluster = shared.Cluster;
        var slot = CliTestSupport.UniqueName("create");
        try
        {
            var (code, stderr) = await RunSlotActionAsync(cluster, slot, "--create-slot");

            Assert.True(code == 0, $"exit code {code}, stderr:\n{stderr}");
            Assert.Equal("physical", await cluster.QueryScalarAsync<string>(
                $"select slot_type from pg_replication_slots where slot_name = '{slot}'", Ct));
            Assert.False(await cluster.QueryScalarAsync<bool>(
                $"select temporary from pg_replication_slots where slot_name = '{slot}'", Ct));
            // Unlike pg_receivewal's slot, ours reserves WAL from the moment it exists.
            Assert.True(await cluster.QueryScalarAsync<bool>(
                $"select restart_lsn is not null from pg_replication_slots where slot_name = '{slot}'", Ct));
        }
        finally
        {
            await DropIfExistsAsync(cluster, slot);
        }
    }

    [Fact]
    public async Task Create_slot_twice_without_if_not_exists_exits_3()
    {
        var cluster = shared.Cluster;
        var slot = CliTestSupport.UniqueName("twice");
        try
        {
            var first = await RunSlotActionAsync(cluster, slot, "--create-slot");
            Assert.True(first.ExitCode == 0, $"first create: exit code {first.ExitCode}, stderr:\n{first.Stderr}");

            var (code, stderr) = await RunSlotActionAsync(cluster, slot, "--create-slot");

            Assert.True(code == 3, $"exit code {code}, stderr:\n{stderr}");
            Assert.Contains("walreceiver: error:", stderr);
            Assert.Contains("already exists", stderr);
            Assert.Contains("--if-not-exists", stderr);
            Assert.Equal(1L, await CountSlotsAsync(cluster, slot));
        }
        finally
        {
            await DropIfExistsAsync(cluster, slot);
        }
    }

    [Fact]
    public async Task Create_slot_twice_with_if_not_exists_exits_0()
    {
        var cluster = shared.Cluster;
        var slot = CliTestSupport.UniqueName("ifnot");
        try
        {
            var first = await RunSlotActionAsync(cluster, slot, "--create-slot", "--if-not-exists");
            Assert.True(first.ExitCode == 0, $"first create: exit code {first.ExitCode}, stderr:\n{first.Stderr}");

            var (code, stderr) = await RunSlotActionAsync(cluster, slot, "--create-slot", "--if-not-exists");

            Assert.True(code == 0, $"exit code {code}, stderr:\n{stderr}");
            Assert.DoesNotContain("error", stderr, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(1L, await CountSlotsAsync(cluster, slot));
        }
        finally
        {
            await DropIfExistsAsync(cluster, slot);
        }
    }

    [Fact]
    public async Task Drop_slot_removes_an_existing_slot_and_exits_0()
    {
        var cluster = shared.Cluster;
        var slot = CliTestSupport.UniqueName("drop");
        try
        {
            await cluster.ExecuteAsync($"select pg_create_physical_replication_slot('{slot}', true)", Ct);

            var (code, stderr) = await RunSlotActionAsync(cluster, slot, "--drop-slot");

            Assert.True(code == 0, $"exit code {code}, stderr:\n{stderr}");
            Assert.Equal(0L, await CountSlotsAsync(cluster, slot));
        }
        finally
        {
            await DropIfExistsAsync(cluster, slot);
        }
    }

    [Fact]
    public async Task Drop_slot_of_a_missing_slot_exits_3_saying_it_does_not_exist()
    {
        var cluster = shared.Cluster;
        var slot = CliTestSupport.UniqueName("missing");

        var (code, stderr) = await RunSlotActionAsync(cluster, slot, "--drop-slot");

        Assert.True(code == 3, $"exit code {code}, stderr:\n{stderr}");
        Assert.Contains("walreceiver: error:", stderr);
        Assert.Contains("does not exist", stderr);
        Assert.Contains(slot, stderr);
    }

    [Fact]
    public async Task Create_then_drop_slot_round_trip_needs_no_directory()
    {
        var cluster = shared.Cluster;
        var slot = CliTestSupport.UniqueName("nodir");
        try
        {
            // No -D anywhere: slot actions do not archive, so they must not ask for a directory.
            var created = await RunSlotActionAsync(cluster, slot, "--create-slot", "--verbose");
            Assert.True(created.ExitCode == 0, $"create: exit code {created.ExitCode}, stderr:\n{created.Stderr}");
            Assert.DoesNotContain("directory", created.Stderr, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(1L, await CountSlotsAsync(cluster, slot));

            var dropped = await RunSlotActionAsync(cluster, slot, "--drop-slot", "--verbose");
            Assert.True(dropped.ExitCode == 0, $"drop: exit code {dropped.ExitCode}, stderr:\n{dropped.Stderr}");
            Assert.DoesNotContain("directory", dropped.Stderr, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(0L, await CountSlotsAsync(cluster, slot));
        }
        finally
        {
            await DropIfExistsAsync(cluster, slot);
        }
    }

    private static Task<(int ExitCode, string Stderr)> RunSlotActionAsync(PostgresCluster cluster, string slot, params string[] action) =>
        ReceiverProcess.RunAsync(["receive", .. ReceiverProcess.ConnectionArgs(cluster), "-S", slot, .. action], CommandTimeout);

    private static async Task<long> CountSlotsAsync(PostgresCluster cluster, string slot) =>
        await cluster.QueryScalarAsync<long>($"select count(*) from pg_replication_slots where slot_name = '{slot}'", Ct);

    private static Task DropIfExistsAsync(PostgresCluster cluster, string slot) =>
        // A leftover slot would hold WAL on the shared cluster for the rest of the run.
        cluster.ExecuteAsync(
            $"select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = '{slot}'", CancellationToken.None);
}

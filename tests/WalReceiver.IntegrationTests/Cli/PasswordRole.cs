using Npgsql;
using Npgsql.Replication;

namespace WalReceiver.IntegrationTests.Cli;

/// <summary>
/// A login role with REPLICATION and password 'right', which pg_hba.conf makes authenticate with scram-sha-256 (its line
/// goes first, above the fixture's trust lines). Dispose restores pg_hba.conf and drops the role.
/// </summary>
internal sealed class PasswordRole : IAsyncDisposable
{
    private static readonly SemaphoreSlim HbaLock = new(1, 1);
    private readonly PostgresCluster _cluster;
    private readonly string _hbaPath;
    private readonly string _hbaLine;

    private PasswordRole(PostgresCluster cluster, string name, string hbaPath, string hbaLine)
    {
        _cluster = cluster;
        Name = name;
        _hbaPath = hbaPath;
        _hbaLine = hbaLine;
    }

    public string Name { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<PasswordRole> CreateAsync(PostgresCluster cluster)
    {
        Assert.SkipUnless(cluster.IsLocal, "editing pg_hba.conf needs a local cluster");
        var name = CliTestSupport.UniqueName("pwuser");
        var hbaPath = Path.Combine(cluster.DataDirectory!, "pg_hba.conf");
        var line = $"host replication {name} 127.0.0.1/32 scram-sha-256\n";
        await cluster.ExecuteAsync($"create role {name} with replication login password 'right'", Ct);
        await HbaLock.WaitAsync(Ct);
        try
        {
            // Overwriting the existing file keeps its owner (postgres) and mode although we run as root.
            await File.WriteAllTextAsync(hbaPath, line + await File.ReadAllTextAsync(hbaPath, Ct), Ct);
        }
        finally
        {
            HbaLock.Release();
        }

        await cluster.ExecuteAsync("select pg_reload_conf()", Ct);
        // The postmaster reloads pg_hba.conf on its own time: wait until a replication connection without a password fails.
        await CliTestSupport.WaitUntilAsync(() => AsksForPasswordAsync(cluster, name), TimeSpan.FromSeconds(20),
            () => $"pg_hba.conf to ask {name} for a password");
        return new PasswordRole(cluster, name, hbaPath, line);
    }

    private static async Task<bool> AsksForPasswordAsync(PostgresCluster cluster, string role)
    {
        var builder = new NpgsqlConnectionStringBuilder(cluster.ReplicationConnectionString) { Username = role, Password = null };
        await using var connection = new PhysicalReplicationConnection(builder.ConnectionString);
        try
        {
            await connection.Open(Ct);
            return false;
        }
        catch (NpgsqlException e) when (e.Message.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await HbaLock.WaitAsync(CancellationToken.None);
        try
        {
            var text = await File.ReadAllTextAsync(_hbaPath, CancellationToken.None);
            await File.WriteAllTextAsync(_hbaPath, text.Replace(_hbaLine, string.Empty, StringComparison.Ordinal), CancellationToken.None);
        }
        finally
        {
            HbaLock.Release();
        }

        await _cluster.ExecuteAsync("select pg_reload_conf()", CancellationToken.None);
        await _cluster.ExecuteAsync($"drop role if exists {Name}", CancellationToken.None);
    }
}

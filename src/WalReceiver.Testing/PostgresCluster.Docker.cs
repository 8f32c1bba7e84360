using System.Globalization;
using System.Text;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Configurations;
using Testcontainers.PostgreSql;

namespace WalReceiver.Testing;

/// <summary>The container half: a postgres:15 container set up like the local cluster.</summary>
public sealed partial class PostgresCluster
{
    private const string DockerPassword = "postgres";

    private static async Task<PostgresCluster> StartDockerAsync(PostgresClusterOptions options, CancellationToken ct)
    {
        // The image's pg_hba.conf admits no replication connections from outside; init scripts run once,
        // after initdb and before the real start, so the appended lines take effect.
        var script = new StringBuilder("echo 'host replication all all trust' >> \"$PGDATA/pg_hba.conf\"\n");
        if (!string.IsNullOrEmpty(options.ExtraConfig))
        {
            script.Append("cat >> \"$PGDATA/postgresql.conf\" <<'WALRECEIVER_EOF'\n").Append(options.ExtraConfig).Append("\nWALRECEIVER_EOF\n");
        }

        var container = new PostgreSqlBuilder("postgres:15")
            .WithUsername("postgres")
            .WithPassword(DockerPassword)
            .WithDatabase(DatabaseName)
            .WithEnvironment(
                "POSTGRES_INITDB_ARGS",
                string.Create(CultureInfo.InvariantCulture, $"--wal-segsize={options.WalSegmentSizeMb}"))
            .WithCommand(
                "-c", "wal_level=replica", "-c", "max_wal_senders=20", "-c", "max_replication_slots=20", "-c", "wal_sender_timeout=10s")
            .WithResourceMapping(Encoding.UTF8.GetBytes(script.ToString()), "/docker-entrypoint-initdb.d/50-walreceiver.sh")
            .Build();
        var cluster = new PostgresCluster(options, Directory.CreateTempSubdirectory("walreceiver-it-").FullName, 0, container);
        try
        {
            await container.StartAsync(ct);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task KillDockerAsync(CancellationToken ct)
    {
        // Testcontainers only stops gracefully; a crash needs the engine's kill.
        using var client = TestcontainersSettings.OS.DockerEndpointAuthConfig.GetDockerClientBuilder(Guid.NewGuid()).Build();
        await client.Containers.KillContainerAsync(_container!.Id, new ContainerKillParameters { Signal = "KILL" }, ct);
    }
}

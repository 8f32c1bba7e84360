
namespace WalReceiver.IntegrationTests.Fixtures;

/// <summary>Starts a <see cref="PostgresCluster"/> under this suite's rule for a missing PostgreSQL: skip here, fail in CI.</summary>
public static class TestClusters
{
    /// <summary>Makes and starts a cluster; skips the test (fails it in CI) when neither binaries nor Docker are there.</summary>
    public static Task<PostgresCluster> StartAsync(PostgresClusterOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var missing = PostgresCluster.FindMissingPrerequisite(options);
        Prerequisites.Require(missing is null, missing ?? string.Empty);
        return PostgresCluster.StartAsync(options, ct);
    }
}

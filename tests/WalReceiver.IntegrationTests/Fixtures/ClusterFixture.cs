namespace WalReceiver.IntegrationTests.Fixtures;

/// <summary>
/// The assembly's shared cluster (1 MB segments), started once before the first test that asks for it.
/// Tests that stop, kill or promote a server make their own with <see cref="PostgresCluster.StartAsync"/>.
/// </summary>
public sealed class SharedCluster : IAsyncLifetime
{
    private PostgresCluster? _cluster;
    private string? _missingPrerequisite;
    private Exception? _startFailure;

    /// <summary>The running cluster; skips the test (fails it in CI) when no cluster could be had here.</summary>
    /// <exception cref="InvalidOperationException">The prerequisites were there but the cluster did not start.</exception>
    public PostgresCluster Cluster
    {
        get
        {
            Prerequisites.Require(_missingPrerequisite is null, _missingPrerequisite ?? string.Empty);
            if (_startFailure is not null)
            {
                throw new InvalidOperationException("The shared PostgreSQL cluster did not start.", _startFailure);
            }

            return _cluster!;
        }
    }

    /// <inheritdoc/>
    public async ValueTask InitializeAsync()
    {
        var options = new PostgresClusterOptions(WalSegmentSizeMb: 1);
        _missingPrerequisite = PostgresCluster.FindMissingPrerequisite(options);
        if (_missingPrerequisite is not null)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            _cluster = await PostgresCluster.StartAsync(options, timeout.Token);
        }
#pragma warning disable CA1031 // Thrown here it would fail every test of the assembly; only the tests using the cluster should fail.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _startFailure = e;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

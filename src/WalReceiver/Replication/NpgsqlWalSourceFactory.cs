using Npgsql;
using WalReceiver.Diagnostics;
using WalReceiver.Replication.ConnectionStrings;

namespace WalReceiver.Replication;

/// <summary>
/// Opens <see cref="NpgsqlWalSource"/>s. With several hosts (<c>-h a,b</c>, <c>host=a,b</c>) it tries them in order and
/// keeps the first that fits <c>target_session_attrs</c>, as libpq does; Npgsql's replication connection takes one host.
/// </summary>
internal sealed class NpgsqlWalSourceFactory(string connectionString, TimeSpan statusInterval, TimeSpan receiveTimeout) : IWalSourceFactory
{
    private readonly IReadOnlyList<string> _hosts = ReplicationConnectionString.SplitHosts(connectionString);
    private readonly string _target = (new NpgsqlConnectionStringBuilder(connectionString).TargetSessionAttributes ?? "any").ToLowerInvariant();

    /// <summary>Whether several servers were given (so the service follows a failover between them).</summary>
    public bool HasSeveralHosts => _hosts.Count > 1;

    /// <inheritdoc/>
    public async Task<IWalSource> ConnectAsync(CancellationToken cancellationToken)
    {
        var refused = new List<string>();
        NpgsqlWalSource? fallback = null;
        foreach (var host in _hosts)
        {
            NpgsqlWalSource source;
            try
            {
                source = await NpgsqlWalSource.OpenAsync(host, statusInterval, receiveTimeout, cancellationToken);
            }
            catch (WalReceiverException e) when (e.Kind == FailureKind.Transient && _hosts.Count > 1)
            {
                refused.Add(e.Message);
                continue;
            }

            if (Fits(source.Identity.IsStandby))
            {
                if (fallback is not null)
                    await fallback.DisposeAsync();
                return source;
            }

            refused.Add($"{source.Identity.Host} is {(source.Identity.IsStandby ? "a standby" : "a primary")}");
            if (_target == "prefer-standby" && fallback is null)
                fallback = source;
            else
                await source.DisposeAsync();
        }

        return fallback ?? throw new WalReceiverException(FailureKind.Transient,
            $"no server fits target_session_attrs={_target}: {string.Join("; ", refused)}");
    }

    private bool Fits(bool standby) => _target switch
    {
        "primary" or "read-write" => !standby,
        "standby" or "read-only" or "prefer-standby" => standby,
        _ => true,
    };
}

namespace WalReceiver.Replication;

/// <summary>Opens <see cref="NpgsqlWalSource"/>s for one connection string.</summary>
internal sealed class NpgsqlWalSourceFactory(string connectionString, TimeSpan statusInterval) : IWalSourceFactory
{
    /// <inheritdoc/>
    public async Task<IWalSource> ConnectAsync(CancellationToken cancellationToken) =>
        await NpgsqlWalSource.OpenAsync(connectionString, statusInterval, cancellationToken);
}

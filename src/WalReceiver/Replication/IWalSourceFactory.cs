namespace WalReceiver.Replication;

/// <summary>Opens replication connections; each streaming attempt gets a new one.</summary>
internal interface IWalSourceFactory
{
    /// <summary>Connects, identifies the server and reads its settings.</summary>
    Task<IWalSource> ConnectAsync(CancellationToken cancellationToken);
}

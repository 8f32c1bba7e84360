namespace WalReceiver.Testing;

/// <summary>How a throwaway <see cref="PostgresCluster"/> is made.</summary>
/// <param name="WalSegmentSizeMb">initdb --wal-segsize; small segments make tests that fill segments fast.</param>
/// <param name="ExtraConfig">Lines appended to postgresql.conf after the fixture's own settings, so they win.</param>
/// <param name="UseDocker">
/// true: a postgres:15 container; false: local binaries; null: a container when a Docker engine answers, else local.
/// </param>
/// <param name="AllowGroupAccess">initdb --allow-group-access: data_directory_mode becomes 0750.</param>
public sealed record PostgresClusterOptions(int WalSegmentSizeMb = 1, string? ExtraConfig = null, bool? UseDocker = null,
    bool AllowGroupAccess = false);

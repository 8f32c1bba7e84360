using WalReceiver.Replication.ConnectionStrings;

namespace WalReceiver.Hosting;

/// <summary>Turns a daemon <see cref="SourceConfig"/> into the options one streaming service runs with.</summary>
internal static class SourceOptions
{
    /// <summary>
    /// The same server for SQL (the slot monitor): the database the connection string names, else PGDATABASE, else postgres.
    /// </summary>
    public static string ToSqlConnectionString(SourceConfig s, Func<string, string?> environment) =>
        ReplicationConnectionString.ForSql(ToReceiverOptions(s, environment).ConnectionString, s.ConnectionString, environment);

    /// <summary>
    /// Builds the receiver options; the libpq connection string is resolved with libpq's environment, and the default
    /// application name is <c>walreceiver_NAME</c> so that each source can be named in synchronous_standby_names.
    /// </summary>
    public static WalReceiverOptions ToReceiverOptions(SourceConfig s, Func<string, string?> environment)
    {
        var connectionString = ReplicationConnectionString.Build(
            new ConnectionSettings(s.ConnectionString, null, null, null, null, NoPassword: true, DefaultApplicationName: ApplicationNames.ForSource(s.Name)),
            environment);
        return new WalReceiverOptions
        {
            Name = s.Name,
            Directory = s.Directory,
            ConnectionString = connectionString,
            Slot = s.Slot,
            CreateMissingSlot = s.CreateSlot || WalReceiverOptions.FollowsFailover(connectionString),
            Synchronous = s.Synchronous,
            NoSync = s.NoSync,
            StatusInterval = s.StatusInterval,
            ReceiveTimeout = s.ReceiveTimeout,
            Compression = s.Compression,
            Verify = s.Verify,
            Trace = s.Trace,
            Target = s.Target,
            Endpoint = s.Endpoint,
            Region = s.Region,
            AccessKeyId = s.AccessKeyId,
            SecretAccessKey = s.SecretAccessKey,
            Durability = s.Durability,
            KeepLocal = s.KeepLocal,
            LogProgress = true,
        };
    }
}

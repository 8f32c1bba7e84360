using WalReceiver.Replication.ConnectionStrings;

namespace WalReceiver.Hosting;

/// <summary>
/// What one streaming source needs: where to archive, how to connect, and pg_receivewal's switches. The command line
/// and (later) the configuration file bind into this one class, so one validator covers both.
/// </summary>
internal sealed class WalReceiverOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "WalReceiver";

    /// <summary>The source's name in logs, metrics and health.</summary>
    public string Name { get; set; } = "default";

    /// <summary>The archive directory (<c>-D</c>); must exist.</summary>
    public string Directory { get; set; } = "";

    /// <summary>An Npgsql connection string for the replication connection (built from -d/-h/-p/-U and libpq's environment).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The physical slot to stream from (<c>-S</c>), or null for none.</summary>
    public string? Slot { get; set; }

    /// <summary>Stop once everything before this LSN is archived (<c>-E</c>), <c>X/X</c> text, or null.</summary>
    public string? EndPosition { get; set; }

    /// <summary>Exit instead of reconnecting when the connection is lost (<c>-n</c>).</summary>
    public bool NoLoop { get; set; }

    /// <summary>How often to send status updates (<c>-s</c>); zero turns periodic updates off.</summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>fsync and report flush after every batch of received WAL (<c>--synchronous</c>).</summary>
    public bool Synchronous { get; set; }

    /// <summary>Never fsync (<c>--no-sync</c>): faster, and a crash of the machine can lose archived WAL.</summary>
    public bool NoSync { get; set; }

    /// <summary>After this long without new WAL, fsync and report flush, so the server's slot and shutdown never wait on us.</summary>
    public TimeSpan IdleFlushDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// While WAL keeps arriving, fsync and report at least this often, so the slot and a synchronous commit never wait
    /// longer than this on WAL that already arrived.
    /// </summary>
    public TimeSpan MaxUnflushedAge { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// No message at all from the server for this long ends the attempt and reconnects (<c>--receive-timeout</c>; the
    /// meaning of the server's <c>wal_receiver_timeout</c>). Zero waits forever.
    /// </summary>
    public TimeSpan ReceiveTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>First delay before reconnecting; doubles after each failed attempt up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The cap of the reconnect backoff.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Create the slot (reserving WAL) on a server that does not have it, instead of stopping. Set when several hosts
    /// are given, so that streaming goes on after a failover to a server that never had our slot.
    /// </summary>
    public bool CreateMissingSlot { get; set; }

    /// <summary>
    /// Whether a connection string names several hosts: the archiver then follows a failover, so it re-creates the slot
    /// where it is missing (<see cref="CreateMissingSlot"/>), because physical slots are not copied to standbys.
    /// </summary>
    internal static bool FollowsFailover(string connectionString) => ReplicationConnectionString.SplitHosts(connectionString).Count > 1;

    /// <summary>Log catch-up progress (bytes behind, MB/s, time left) every <see cref="ProgressInterval"/> while behind.</summary>
    public bool LogProgress { get; set; }

    /// <summary>How often catch-up progress is logged.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How completed segments are stored (<c>-Z</c>), in pg_receivewal's syntax: <c>none</c>, <c>gzip[:LEVEL]</c>,
    /// <c>lz4[:LEVEL]</c>, <c>zstd[:LEVEL]</c>, or a bare gzip level.
    /// </summary>
    public string Compression { get; set; } = "none";

    /// <summary>Check every page header and record CRC as WAL arrives (on unless <c>--no-verify</c>).</summary>
    public bool Verify { get; set; } = true;

    /// <summary>Log each completed segment at information level (<c>-v</c>).</summary>
    public bool Verbose { get; set; }

    /// <summary>Log one line per replication message: XLogData, keepalives, and the status updates sent and why (<c>--trace</c>).</summary>
    public bool Trace { get; set; }

    /// <summary>A bucket each completed file is also uploaded to, <c>s3://BUCKET/PREFIX</c> (<c>--target</c>); null for none.</summary>
    public string? Target { get; set; }

    /// <summary>The S3 endpoint for a non-AWS server; null: <c>AWS_ENDPOINT_URL_S3</c>, <c>AWS_ENDPOINT_URL</c>, else AWS.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The bucket's region; null: <c>AWS_REGION</c>, <c>AWS_DEFAULT_REGION</c>, else us-east-1.</summary>
    public string? Region { get; set; }

    /// <summary>The access key for the bucket, with <see cref="SecretAccessKey"/>; null: the AWS SDK's credential chain (environment, profile, instance role).</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>The secret of <see cref="AccessKeyId"/>.</summary>
    public string? SecretAccessKey { get; set; }

    /// <summary>What the reported flush position means (<c>--durability</c>): on the local disk, or in the bucket too.</summary>
    public DurabilityMode Durability { get; set; }

    /// <summary>With a bucket: keep this many newest complete segments locally and remove older uploaded ones (<c>--keep-local</c>); null keeps all.</summary>
    public int? KeepLocal { get; set; }
}

namespace WalReceiver.Hosting;

/// <summary>One source in the daemon's configuration (<c>WalReceiver:Sources:N</c>).</summary>
internal sealed class SourceConfig
{
    /// <summary>Unique name: the tag in metrics and health, and part of the default application name.</summary>
    public string Name { get; set; } = "";

    /// <summary>A libpq connection string (<c>host=... port=... user=...</c> or <c>postgresql://...</c>); several hosts give failover.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The physical slot to stream from.</summary>
    public string? Slot { get; set; }

    /// <summary>Create the slot (reserving WAL) where it does not exist, at start and after a failover.</summary>
    public bool CreateSlot { get; set; }

    /// <summary>The archive directory; must exist.</summary>
    public string Directory { get; set; } = "";

    /// <summary>fsync and report flush after every batch (for a synchronous standby).</summary>
    public bool Synchronous { get; set; }

    /// <summary>Never fsync.</summary>
    public bool NoSync { get; set; }

    /// <summary>How completed segments are stored: <c>none</c>, <c>gzip[:LEVEL]</c>, <c>lz4[:LEVEL]</c> or <c>zstd[:LEVEL]</c>.</summary>
    public string Compression { get; set; } = "none";

    /// <summary>Check every page header and record CRC as WAL arrives.</summary>
    public bool Verify { get; set; } = true;

    /// <summary>Log one line per replication message (XLogData, keepalives, status updates sent and why), as <c>receive --trace</c>.</summary>
    public bool Trace { get; set; }

    /// <summary>A bucket each completed file is also uploaded to, <c>s3://BUCKET/PREFIX</c>, as <c>receive --target</c>.</summary>
    public string? Target { get; set; }

    /// <summary>The S3 endpoint of a non-AWS server, as <c>receive --endpoint</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The bucket's region; default <c>AWS_REGION</c>.</summary>
    public string? Region { get; set; }

    /// <summary>The bucket's access key, with <see cref="SecretAccessKey"/>; default the AWS SDK's credential chain (environment, profile, instance role).</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>The secret of <see cref="AccessKeyId"/> (better from the environment: <c>WALRECEIVER__SOURCES__0__SECRETACCESSKEY</c>).</summary>
    public string? SecretAccessKey { get; set; }

    /// <summary>What the reported flush position means, <c>Local</c> or <c>Uploaded</c>, as <c>receive --durability</c>.</summary>
    public DurabilityMode Durability { get; set; }

    /// <summary>With a target: the newest complete segments kept locally, as <c>receive --keep-local</c>; null keeps all.</summary>
    public int? KeepLocal { get; set; }

    /// <summary>With a target: health turns unhealthy when the files not yet uploaded hold more than this many bytes.</summary>
    public long MaxUploadBacklogBytes { get; set; } = 1L << 30;

    /// <summary>Time between status updates to the server.</summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>No message from the server for this long ends the connection and reconnects (as wal_receiver_timeout); zero waits forever.</summary>
    public TimeSpan ReceiveTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the slot's retained WAL and wal_status are read from pg_replication_slots (for metrics).</summary>
    public TimeSpan SlotPollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Health turns unhealthy when the server's end of WAL is more than this many bytes ahead of the archive.</summary>
    public long MaxLagBytes { get; set; } = 1L << 30;
}

namespace WalReceiver.Hosting;

/// <summary>What a source may fall behind before <c>/healthz</c> calls it unhealthy.</summary>
/// <param name="MaxLagBytes">WAL the server has that the archive has not flushed.</param>
/// <param name="MaxUploadBacklogBytes">Completed files not in the bucket yet (with a bucket target).</param>
internal readonly record struct HealthLimits(long MaxLagBytes, long MaxUploadBacklogBytes)
{
    /// <summary>No limit: only the status counts.</summary>
    public static readonly HealthLimits None = new(long.MaxValue, long.MaxValue);
}

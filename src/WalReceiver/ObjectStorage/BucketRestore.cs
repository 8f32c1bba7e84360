using WalReceiver.Diagnostics;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.ObjectStorage;

/// <summary>
/// <c>walreceiver restore --target s3://BUCKET/PREFIX</c>: one file from the bucket to recovery, through the same checks
/// and durable write as a restore from the archive directory (<see cref="ArchiveRestore"/>), and segments fetched ahead.
/// </summary>
/// <remarks>
/// PostgreSQL runs <c>restore_command</c> once per file and waits for each, so a recovery from a bucket would take one
/// request's latency per segment. With <c>prefetch</c> above 0, serving segment N also fetches, in parallel, those of
/// N+1 .. N+prefetch on N's timeline that the spool lacks (<see cref="PrefetchSpool"/>), whenever N+1 is not there yet:
/// the next restores are served from the spool, and only every prefetch-th waits for the bucket, once for all of them.
/// The process waits for the fetches before it exits (at most <see cref="PrefetchTimeout"/>); a failed fetch is ignored.
/// </remarks>
internal static class BucketRestore
{
    /// <summary>How long a restore waits for its prefetches before it leaves the rest (the file asked for is already in place).</summary>
    public static readonly TimeSpan PrefetchTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Restores <paramref name="fileName"/> from <paramref name="target"/> to <paramref name="destination"/>.</summary>
    /// <param name="target">The bucket location, <c>s3://BUCKET/PREFIX</c>, as the receiver's <c>--target</c>.</param>
    /// <param name="endpoint">A non-AWS endpoint; null: the environment's (<c>AWS_ENDPOINT_URL_S3</c>, <c>AWS_ENDPOINT_URL</c>) or AWS.</param>
    /// <param name="fileName">What recovery asks for (<c>%f</c>).</param>
    /// <param name="destination">Where recovery wants it (<c>%p</c>).</param>
    /// <param name="servePartial">Whether a segment's <c>.partial</c> is served when no complete object exists.</param>
    /// <param name="prefetch">How many segments after a served one to fetch ahead; 0 neither fetches nor serves from the spool.</param>
    /// <param name="sync">How the destination reaches the disk.</param>
    /// <param name="report">Receives one line per event worth telling under <c>-v</c> (spool hits and rejections, prefetches).</param>
    /// <param name="cancellationToken">Stops the restore (a signal).</param>
    public static RestoreResult Restore(string target, string? endpoint, string fileName, string destination, bool servePartial, int prefetch,
        FileSync sync, Action<string> report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        var kind = ArchiveRestore.CheckRequest(fileName, destination);
        if (!S3Location.TryParse(target, out var location, out var problem))
            throw new WalReceiverException(FailureKind.Usage, $"{problem}; fix --target in restore_command");
        ArgumentOutOfRangeException.ThrowIfNegative(prefetch);
        if (endpoint is not null && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            throw new WalReceiverException(FailureKind.Usage,
                $"\"{endpoint}\" is not an endpoint URL: write it as http://HOST:PORT or https://HOST; fix --endpoint in restore_command");
        }

        // Resolved here, as S3Clients would, so that the spool records the endpoint however it was given.
        endpoint ??= Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        using var bucket = new BucketRestoreSource(location, endpoint);
        var spool = prefetch > 0 && kind == ArchiveFileKind.Segment ? new PrefetchSpool(destination, bucket.Origin) : null;
        var result = spool is null ? null : FromSpool(spool, fileName, destination, sync, report, cancellationToken);
        if (result is null)
        {
            result = ArchiveRestore.Restore(bucket, fileName, destination, servePartial, sync, cancellationToken);
            if (result.Restored)
                result = result with { RestoredFrom = $"{location}/{result.RestoredFrom}" };
        }

        if (spool is null)
            return result;
        spool.Prune(fileName);
        if (result.Restored && !result.RestoredFrom!.EndsWith(WalFileName.PartialSuffix, StringComparison.Ordinal))
            Prefetch(bucket, spool, fileName, new WalSegmentSize((int)result.Bytes), prefetch, report, cancellationToken);
        return result;
    }

    /// <summary>The segment from the spool, checked as if it came from the bucket; null (and the copy removed) when it is not there or fails.</summary>
    private static RestoreResult? FromSpool(PrefetchSpool spool, string fileName, string destination, FileSync sync, Action<string> report,
        CancellationToken cancellationToken)
    {
        try
        {
            var result = ArchiveRestore.Restore(spool, fileName, destination, servePartial: false, sync, cancellationToken);
            return result.Restored ? result with { RestoredFrom = Path.Combine(spool.Directory, result.RestoredFrom!) } : null;
        }
        catch (WalReceiverException e) when (e.Kind == FailureKind.ArchiveDamage)
        {
            // Changed or cut since it was fetched: the bucket's copy is the one to check.
            report($"not serving the prefetched copy of \"{fileName}\": {e.Message}");
            spool.Prune(fileName);
            return null;
        }
    }

    private static void Prefetch(BucketRestoreSource bucket, PrefetchSpool spool, string served, WalSegmentSize size, int count,
        Action<string> report, CancellationToken cancellationToken)
    {
        if (!WalFileName.TryParse(served, size, out var timeline, out var segment))
            return;
        var next = WalFileName.Format(timeline, segment + 1, size);
        if (spool.Holds(next))
            return;
        var names = Enumerable.Range(1, count).Select(i => WalFileName.Format(timeline, segment + (ulong)i, size)).Where(n => !spool.Holds(n)).ToList();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(PrefetchTimeout);
        var fetches = names.Select(n => FetchAsync(bucket, spool, n, bound.Token)).ToArray();
        try
        {
            Task.WaitAll(fetches, CancellationToken.None);
        }
        catch (AggregateException)
        {
            // Counted below; a failed prefetch never fails the restore.
        }

        var fetched = fetches.Count(f => f.IsCompletedSuccessfully && f.Result);
        report($"prefetched {fetched} of the {names.Count} segments after \"{served}\" that the spool lacked, into \"{spool.Directory}\"");
    }

    private static async Task<bool> FetchAsync(BucketRestoreSource bucket, PrefetchSpool spool, string fileName, CancellationToken cancellationToken)
    {
        await Task.Yield(); // the look-ups of all the segments start at once, not one after the other
        try
        {
            if (await bucket.FindObjectAsync(fileName, partials: false, completes: true, cancellationToken) is not { } item)
                return false;
            await using var body = await bucket.OpenStoredAsync(item.File, cancellationToken);
            return await spool.StoreAsync(item, body, cancellationToken);
        }
        catch (Exception e) when (e is WalReceiverException or IOException or UnauthorizedAccessException or OperationCanceledException
            || BucketErrors.IsRequestFailure(e))
        {
            return false;
        }
    }
}

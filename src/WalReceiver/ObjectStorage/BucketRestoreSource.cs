using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using WalReceiver.Diagnostics;
using WalReceiver.Storage;

namespace WalReceiver.ObjectStorage;

/// <summary>
/// The bucket as a source of <see cref="ArchiveRestore"/>: the objects the uploader wrote, <c>PREFIX/NAME</c> in any stored
/// form, at <c>endpoint</c> (null: the environment's, else AWS). Request failures are <see cref="WalReceiverException"/>s
/// naming the fix (<see cref="BucketErrors"/>).
/// </summary>
/// <remarks>
/// One LIST of the keys that start with the file's name finds every stored form at once, with its ETag: a look-up is one
/// request whether the file is there or not, where a GET of each form in turn would take up to eight to learn that none is.
/// S3 lists consistently with writes (since December 2020), so an object uploaded before is listed.
/// </remarks>
internal sealed class BucketRestoreSource(S3Location location, string? endpoint) : IRestoreSource, IDisposable
{
    // Made at the first request: a restore served from the prefetch spool never pays for the SDK's start-up.
    private readonly Lazy<IAmazonS3> _s3 = new(() => S3Clients.Create(endpoint, Environment.GetEnvironmentVariable));

    /// <summary>The bucket location, and the endpoint when it is not AWS: what a prefetched file records as its origin.</summary>
    public string Origin { get; } = endpoint is null ? location.ToString() : $"{location} at {endpoint}";

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_s3.IsValueCreated)
            _s3.Value.Dispose();
    }

    /// <inheritdoc/>
    public StoredFile? Find(string fileName, bool partials, bool completes = true) =>
        FindObjectAsync(fileName, partials, completes, CancellationToken.None).GetAwaiter().GetResult()?.File;

    /// <inheritdoc/>
    public Stream OpenStored(StoredFile file, CancellationToken cancellationToken) =>
        OpenStoredAsync(file, cancellationToken).GetAwaiter().GetResult();

    /// <summary>The form of <paramref name="fileName"/> to serve, with its ETag; null when the bucket has none.</summary>
    public async Task<BucketObject?> FindObjectAsync(string fileName, bool partials, bool completes, CancellationToken cancellationToken)
    {
        var keys = await ListAsync(location.KeyOf(fileName), cancellationToken);
        foreach (var (name, algorithm, partial) in CompressedWal.Candidates(fileName, partials, completes))
        {
            if (keys.TryGetValue(location.KeyOf(name), out var etag))
                return new BucketObject(new StoredFile(name, $"{location}/{name}", algorithm, partial), etag);
        }

        return null;
    }

    /// <summary>The body of <paramref name="file"/>; <see cref="FileNotFoundException"/> when it is gone since the listing.</summary>
    public async Task<Stream> OpenStoredAsync(StoredFile file, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _s3.Value.GetObjectAsync(location.Bucket, location.KeyOf(file.Name), cancellationToken);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            throw new FileNotFoundException($"{file.Path} is no longer in the bucket", file.Path, e);
        }
        catch (Exception e) when (BucketErrors.IsRequestFailure(e))
        {
            throw BucketErrors.Translate(e, $"read {file.Path}", Origin);
        }
    }

    private async Task<Dictionary<string, string>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var pages = _s3.Value.Paginators.ListObjectsV2(new ListObjectsV2Request { BucketName = location.Bucket, Prefix = prefix });
            await foreach (var o in pages.S3Objects.WithCancellation(cancellationToken))
                keys[o.Key] = (o.ETag ?? "").Trim('"').ToLowerInvariant();
        }
        catch (Exception e) when (BucketErrors.IsRequestFailure(e))
        {
            throw BucketErrors.Translate(e, $"look for {location}/{prefix[(prefix.LastIndexOf('/') + 1)..]}", Origin);
        }

        return keys;
    }
}

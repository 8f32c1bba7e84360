using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.ObjectStorage;

/// <summary>
/// A bucket prefix as <see cref="ArchiveVerifier"/> reads it: the objects listed once, each read once (one GET, never a
/// copy on disk; the next few fetched into memory while one is checked, within <see cref="ObjectReadAhead"/>'s bounds,
/// and streamed when too big for them), its SHA-256 checked against its <c>x-amz-meta-sha256</c> metadata (what
/// <see cref="ObjectUploader"/> sends: the manifest's line) and its MD5 against its ETag.
/// </summary>
/// <remarks>
/// The verifier is synchronous (it reads each file with <see cref="Stream.Read(Span{byte})"/>, through the
/// decompressors); it runs on a thread-pool thread, so the SDK's GETs are waited for there. An object without the
/// metadata was uploaded by an older version or another tool: a warning, its WAL is still checked.
/// </remarks>
internal sealed class BucketArchiveSource : ArchiveSource
{
    // Enough stored bytes for any stored form's first page header: a gzip member, an LZ4 block (64 KiB) or a
    // Zstandard block (128 KiB) holds the start of a segment well within it.
    private const long StartBytes = 256 << 10;

    private readonly IAmazonS3 _s3;
    private readonly S3Location _location;
    private readonly CancellationToken _cancellationToken;
    private readonly Dictionary<string, long> _sizes;
    private readonly List<ArchiveFinding> _findings;
    private readonly Dictionary<string, ObjectRead> _reads = new(StringComparer.Ordinal);
    private readonly ObjectReadAhead _readAhead;

    private BucketArchiveSource(IAmazonS3 s3, S3Location location, Dictionary<string, long> sizes, List<ArchiveFinding> findings, CancellationToken cancellationToken)
    {
        _s3 = s3;
        _location = location;
        _sizes = sizes;
        _findings = findings;
        _cancellationToken = cancellationToken;
        Names = [.. sizes.Keys.Order(StringComparer.Ordinal)];
        _readAhead = new ObjectReadAhead(FetchAsync, SizeOf);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> Names { get; }

    /// <inheritdoc/>
    public override IEnumerable<ArchiveFinding> Findings => _findings;

    /// <summary>Lists the objects under <paramref name="location"/> (every page of ListObjectsV2).</summary>
    /// <exception cref="AmazonServiceException">The bucket cannot be listed.</exception>
    public static async Task<BucketArchiveSource> ListAsync(IAmazonS3 s3, S3Location location, CancellationToken cancellationToken)
    {
        var prefix = location.KeyOf("");
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var findings = new List<ArchiveFinding>();
        var pages = s3.Paginators.ListObjectsV2(new ListObjectsV2Request { BucketName = location.Bucket, Prefix = prefix.Length == 0 ? null : prefix });
        await foreach (var o in pages.S3Objects.WithCancellation(cancellationToken))
        {
            var name = o.Key[prefix.Length..];
            if (IsArchiveFile(name))
                sizes[name] = o.Size ?? 0;
            else
                findings.Add(new(ArchiveFindingSeverity.Warning, name, null, "is not an archive file (a WAL segment or a timeline history file); not checked"));
        }

        return new BucketArchiveSource(s3, location, sizes, findings, cancellationToken);
    }

    /// <inheritdoc/>
    public override void WillOpen(IReadOnlyList<string> names, bool whole) => _readAhead.Plan(names, whole);

    /// <inheritdoc/>
    public override Stream OpenStored(string name)
    {
        if (_readAhead.Take(name, whole: true) is { } fetched)
            return Track(name, fetched.Sha256, fetched.ETag, new MemoryStream(fetched.Content, writable: false));
        var response = Wait(GetAsync(name, whole: true));
        return Track(name, response.Metadata[ObjectUploader.Sha256Metadata], ETagOf(response), response.ResponseStream);
    }

    /// <inheritdoc/>
    public override Stream OpenStart(string name)
    {
        if (_readAhead.Take(name, whole: false) is { } fetched)
            return new MemoryStream(fetched.Content, writable: false);
        return SizeOf(name, whole: false) > 0 ? Wait(GetAsync(name, whole: false)).ResponseStream : new MemoryStream([], writable: false);
    }

    /// <inheritdoc/>
    public override bool WantsHash(string name) => true;

    /// <inheritdoc/>
    public override IEnumerable<ArchiveFinding> CheckStored(string name, string? sha256)
    {
        if (!_reads.Remove(name, out var read) || sha256 is null)
            yield break;
        if (read.Sha256 is null)
        {
            yield return new(ArchiveFindingSeverity.Warning, name, null,
                $"has no x-amz-meta-{ObjectUploader.Sha256Metadata} metadata (uploaded by an older version or another tool), so its SHA-256 was not checked");
        }
        else if (!string.Equals(read.Sha256, sha256, StringComparison.OrdinalIgnoreCase))
        {
            yield return new(ArchiveFindingSeverity.Error, name, null,
                $"SHA-256 {sha256} differs from its x-amz-meta-{ObjectUploader.Sha256Metadata} {read.Sha256}: the object changed after it was uploaded");
        }

        // A multipart upload's ETag ("...-N") is not an MD5 of the content: only a plain one is compared.
        if (read.ETag is { Length: 32 } etag && etag.All(char.IsAsciiHexDigit) && read.Md5 is { } md5 && md5 != etag)
            yield return new(ArchiveFindingSeverity.Error, name, null, $"MD5 {md5} of the bytes read differs from the object's ETag {etag}");
    }

    private static bool IsArchiveFile(string name) => TimelineId.TryParseHistoryFileName(name, out _) || ArchiveInspector.IsSegmentFile(name);

    private static string? ETagOf(GetObjectResponse response) => response.ETag?.Trim('"').ToLowerInvariant();

    // The verifier is synchronous and runs on a thread-pool thread with no synchronization context: no deadlock.
    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private long SizeOf(string name, bool whole)
    {
        var size = _sizes.GetValueOrDefault(name);
        return whole ? size : Math.Min(size, StartBytes);
    }

    /// <summary>Remembers what the GET of <paramref name="name"/> told, and hashes (MD5) what is read of it for <see cref="CheckStored"/>.</summary>
    private HashingReadStream Track(string name, string? sha256, string? etag, Stream content)
    {
        var read = new ObjectRead(sha256, etag);
        _reads[name] = read;
        return new HashingReadStream(content, HashAlgorithmName.MD5, md5 => read.Md5 = md5);
    }

    /// <summary>Reads an object (or its start) into memory, for <see cref="ObjectReadAhead"/>.</summary>
    private async Task<FetchedObject> FetchAsync(string name, bool whole)
    {
        if (SizeOf(name, whole) == 0)
            return new FetchedObject([], null, null);
        using var response = await GetAsync(name, whole);
        using var bytes = new MemoryStream();
        try
        {
            await response.ResponseStream.CopyToAsync(bytes, _cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new IOException($"could not read {_location}/{name}: {e.Message}", e);
        }

        return new FetchedObject(bytes.ToArray(), response.Metadata[ObjectUploader.Sha256Metadata], ETagOf(response));
    }

    private async Task<GetObjectResponse> GetAsync(string name, bool whole)
    {
        try
        {
            var request = new GetObjectRequest { BucketName = _location.Bucket, Key = _location.KeyOf(name) };
            if (!whole)
                request.ByteRange = new ByteRange(0, SizeOf(name, whole) - 1);
            return await _s3.GetObjectAsync(request, _cancellationToken);
        }
        catch (Exception e) when (BucketErrors.IsRequestFailure(e) && e is not IOException)
        {
            throw new IOException($"could not read {_location}/{name}: {e.Message}", e);
        }
    }

    /// <summary>What one GET of an object told, and the MD5 of its bytes once they are read to the end.</summary>
    private sealed class ObjectRead(string? sha256, string? etag)
    {
        public string? Sha256 { get; } = sha256;

        public string? ETag { get; } = etag;

        public string? Md5 { get; set; }
    }
}

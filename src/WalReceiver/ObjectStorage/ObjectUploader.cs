using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using WalReceiver.Storage;

namespace WalReceiver.ObjectStorage;

/// <summary>
/// Uploads one archive file to the bucket with an integrity check, and never over an object with other content.
/// </summary>
/// <remarks>
/// The body goes with its Content-MD5, which AWS S3 checks before it stores anything; the ETag the server answers with
/// (the MD5 of a single-part object) is compared too, which covers servers that skip the Content-MD5 check. An object
/// already there with the same MD5 and length is the same file uploaded before (after a restart, say): nothing is sent.
/// One with other content is an <see cref="ObjectConflictException"/>: a file of another cluster or another history, which
/// the operator must look at. <c>If-None-Match: *</c> makes AWS refuse a PUT that would overwrite one that appeared
/// since the check. The one exception is a shorter object that holds exactly the start of the file: an upload of this
/// file cut short on a server that does not store a PUT atomically (s3rver, killed mid-request). It is replaced, with
/// <c>If-Match</c> on its ETag; without that, the file could never reach the bucket and the backlog would never empty.
/// <para>The same read of the file computes its SHA-256, which goes with the object as the user metadata
/// <c>x-amz-meta-sha256</c>: the archive's manifest (<c>walreceiver.sha256</c>) reaches the bucket one object at a
/// time, with no manifest object that would have to be rewritten. A file whose SHA-256 is no longer its manifest line's
/// rotted on disk after it was completed: it is not uploaded (<see cref="LocalFileChangedException"/>).</para>
/// </remarks>
/// <param name="s3">The client.</param>
/// <param name="location">The bucket and prefix.</param>
/// <param name="replacedTorn">Told of each torn copy replaced (the file name, the torn object's ETag); null: nobody.</param>
internal sealed class ObjectUploader(IAmazonS3 s3, S3Location location, Action<string, string>? replacedTorn = null)
{
    /// <summary>The user metadata name of the object's SHA-256 (lower-case hex): the header <c>x-amz-meta-sha256</c>.</summary>
    public const string Sha256Metadata = "sha256";

    private const int ChunkSize = 1 << 16;

    private readonly Lock _manifestLock = new();
    private string? _manifestDirectory;
    private Dictionary<string, string>? _manifest;

    /// <summary>Uploads <paramref name="path"/> as the object of its file name; false when an identical object was there already.</summary>
    /// <exception cref="ObjectConflictException">An object of that name exists with other content.</exception>
    /// <exception cref="LocalFileChangedException">The file's SHA-256 is not the one its manifest line records.</exception>
    /// <exception cref="AmazonS3Exception">The server refused the request or answered with a checksum that is not the file's.</exception>
    public async Task<bool> UploadAsync(string path, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        var key = location.KeyOf(name);
        var (md5, sha256, length) = await HashAsync(path, cancellationToken);
        var md5Hex = Convert.ToHexStringLower(md5);
        if (ManifestLine(Path.GetDirectoryName(Path.GetFullPath(path))!, name) is { } recorded && recorded != sha256)
        {
            throw new LocalFileChangedException(
                $"{path} has SHA-256 {sha256}, but its line in {ArchiveManifest.FileName} records {recorded}: the file changed on disk after it was " +
                "completed (bit rot or tampering), so it is not uploaded; run walreceiver verify -D on the archive");
        }

        string? torn = null;
        if (await ExistingAsync(key, cancellationToken) is { } existing)
        {
            if (existing.ETag == md5Hex && existing.Length == length)
                return false;
            // Shorter, and exactly the start of this file: an upload of this very file cut short on a server that does not
            // store a PUT atomically (AWS S3 does; s3rver killed mid-request does not). It holds nothing the file lacks.
            if (existing.Length < length && await IsStartOfAsync(key, path, cancellationToken))
                torn = existing.ETag;
            else
                throw new ObjectConflictException(
                $"{location}/{name} already exists with other content ({existing.Length} bytes, ETag {existing.ETag}; the local file has {length} bytes, " +
                    $"MD5 {md5Hex}); it is never overwritten: check that this bucket prefix belongs to this cluster and timeline");
        }

        var request = new PutObjectRequest
        {
            BucketName = location.Bucket,
            Key = key,
            FilePath = path,
            MD5Digest = Convert.ToBase64String(md5),
            UseChunkEncoding = false,
            // Never over another object; a torn copy is replaced only if it is still the one just read.
            IfNoneMatch = torn is null ? "*" : null,
            IfMatch = torn is null ? null : $"\"{torn}\"",
        };
        request.Metadata[Sha256Metadata] = sha256;
        var response = await s3.PutObjectAsync(request, cancellationToken);
        var etag = response.ETag?.Trim('"');
        if (!string.Equals(etag, md5Hex, StringComparison.OrdinalIgnoreCase))
        {
            throw new AmazonS3Exception(
                $"the bucket answered the upload of {name} with ETag {etag}, not the file's MD5 {md5Hex}: the object may not hold the file");
        }

        if (torn is not null)
            replacedTorn?.Invoke(name, torn);
        return true;
    }

    /// <summary>Whether the object of <paramref name="key"/> holds exactly the first bytes of the file at <paramref name="path"/>.</summary>
    private async Task<bool> IsStartOfAsync(string key, string path, CancellationToken cancellationToken)
    {
        using var response = await s3.GetObjectAsync(location.Bucket, key, cancellationToken);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var stored = new byte[ChunkSize];
        var local = new byte[ChunkSize];
        int n;
        while ((n = await response.ResponseStream.ReadAtLeastAsync(stored, ChunkSize, throwOnEndOfStream: false, cancellationToken)) > 0)
        {
            if (await file.ReadAtLeastAsync(local.AsMemory(0, n), n, throwOnEndOfStream: false, cancellationToken) != n
                || !stored.AsSpan(0, n).SequenceEqual(local.AsSpan(0, n)))
                return false;
        }

        return true;
    }

    /// <summary>One read of the file, two hashes: MD5 (what S3 speaks: Content-MD5, ETag) and SHA-256 (the manifest's).</summary>
    private static async Task<(byte[] Md5, string Sha256, long Length)> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkSize];
        long length = 0;
        int n;
        while ((n = await file.ReadAsync(buffer, cancellationToken)) > 0)
        {
            md5.AppendData(buffer, 0, n);
            sha256.AppendData(buffer, 0, n);
            length += n;
        }

        return (md5.GetHashAndReset(), Convert.ToHexStringLower(sha256.GetHashAndReset()), length);
    }

    /// <summary>
    /// The manifest's SHA-256 for <paramref name="name"/>, or null when it has no line (or there is no manifest). The
    /// manifest is read again only when a name is missing: a line is written before its file is completed, so a file
    /// completed since the last read is the only reason to look again, and a big archive does not cost a full read per upload.
    /// </summary>
    private string? ManifestLine(string directory, string name)
    {
        lock (_manifestLock)
        {
            if (_manifestDirectory == directory && _manifest?.GetValueOrDefault(name) is { } cached)
                return cached;
            _manifestDirectory = directory;
            _manifest = ArchiveManifest.Read(directory);
            return _manifest?.GetValueOrDefault(name);
        }
    }

    private async Task<(string? ETag, long Length)?> ExistingAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var head = await s3.GetObjectMetadataAsync(location.Bucket, key, cancellationToken);
            return (head.ETag?.Trim('"').ToLowerInvariant(), head.ContentLength);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}

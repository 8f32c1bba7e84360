using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

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
/// since the check.
/// </remarks>
internal sealed class ObjectUploader(IAmazonS3 s3, S3Location location)
{
    /// <summary>Uploads <paramref name="path"/> as the object of its file name; false when an identical object was there already.</summary>
    /// <exception cref="ObjectConflictException">An object of that name exists with other content.</exception>
    /// <exception cref="AmazonS3Exception">The server refused the request or answered with a checksum that is not the file's.</exception>
    public async Task<bool> UploadAsync(string path, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        var key = location.KeyOf(name);
        var (md5, length) = await HashAsync(path, cancellationToken);
        var md5Hex = Convert.ToHexStringLower(md5);
        if (await ExistingAsync(key, cancellationToken) is { } existing)
        {
            if (existing.ETag == md5Hex && existing.Length == length)
                return false;
            throw new ObjectConflictException(
                $"{location}/{name} already exists with other content ({existing.Length} bytes, ETag {existing.ETag}; the local file has {length} bytes, " +
                $"MD5 {md5Hex}); it is never overwritten: check that this bucket prefix belongs to this cluster and timeline");
        }

        var response = await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = location.Bucket,
            Key = key,
            FilePath = path,
            MD5Digest = Convert.ToBase64String(md5),
            UseChunkEncoding = false,
            IfNoneMatch = "*",
        }, cancellationToken);
        var etag = response.ETag?.Trim('"');
        if (!string.Equals(etag, md5Hex, StringComparison.OrdinalIgnoreCase))
        {
            throw new AmazonS3Exception(
                $"the bucket answered the upload of {name} with ETag {etag}, not the file's MD5 {md5Hex}: the object may not hold the file");
        }

        return true;
    }

    private static async Task<(byte[] Md5, long Length)> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        // MD5 is what S3 speaks (Content-MD5, ETag), not a choice of ours for integrity: the manifest keeps SHA-256.
#pragma warning disable CA5351
        var md5 = await MD5.HashDataAsync(file, cancellationToken);
#pragma warning restore CA5351
        return (md5, file.Length);
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

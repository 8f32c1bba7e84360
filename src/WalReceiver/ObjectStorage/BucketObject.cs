using WalReceiver.Storage;

namespace WalReceiver.ObjectStorage;

/// <summary>One stored form of an archive file in the bucket, with the ETag the listing gave (its MD5, as the uploader stores it).</summary>
/// <param name="File">The stored form; its path is <c>s3://BUCKET/PREFIX/NAME</c>, for messages.</param>
/// <param name="ETag">The object's ETag, without quotes, lower-case.</param>
internal sealed record BucketObject(StoredFile File, string ETag);

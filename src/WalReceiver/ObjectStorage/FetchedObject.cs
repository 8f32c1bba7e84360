namespace WalReceiver.ObjectStorage;

/// <summary>An object (or its start) read into memory by <see cref="ObjectReadAhead"/>, with what its GET answered.</summary>
/// <param name="Content">The bytes read.</param>
/// <param name="Sha256">Its <c>x-amz-meta-sha256</c> metadata, or null.</param>
/// <param name="ETag">Its ETag, unquoted and lower-case, or null.</param>
internal sealed record FetchedObject(byte[] Content, string? Sha256, string? ETag);

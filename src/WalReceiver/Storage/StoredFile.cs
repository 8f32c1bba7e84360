namespace WalReceiver.Storage;

/// <summary>One stored form of an archive file: <c>NAME</c>, <c>NAME.zst</c>, <c>NAME.gz.partial</c>...</summary>
/// <param name="Name">The file name in the archive.</param>
/// <param name="Path">Its full path.</param>
/// <param name="Algorithm">How it is compressed.</param>
/// <param name="IsPartial">Whether it is a segment still being written (or left so by a stop or a crash).</param>
internal sealed record StoredFile(string Name, string Path, CompressionAlgorithm Algorithm, bool IsPartial);

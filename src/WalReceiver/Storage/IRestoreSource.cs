namespace WalReceiver.Storage;

/// <summary>
/// Where <see cref="ArchiveRestore"/> finds the stored forms of an archive file: the archive directory, a bucket, or the
/// prefetch spool of a bucket restore. The checks and the durable write are the same whatever the source.
/// </summary>
internal interface IRestoreSource
{
    /// <summary>
    /// The form of <paramref name="fileName"/> to serve: a complete one in the order of <see cref="CompressedWal.Forms"/>
    /// (unless <paramref name="completes"/> is false), else, when <paramref name="partials"/>, a <c>.partial</c> one; null
    /// when the source has none. Failures to look are <see cref="Diagnostics.WalReceiverException"/>s, never "not found".
    /// </summary>
    StoredFile? Find(string fileName, bool partials, bool completes = true);

    /// <summary>
    /// Opens the stored bytes of <paramref name="file"/> (still compressed). Throws <see cref="FileNotFoundException"/>
    /// when it vanished since <see cref="Find"/> (a running receiver renamed a <c>.partial</c>): the restore looks again.
    /// </summary>
    Stream OpenStored(StoredFile file, CancellationToken cancellationToken);
}

using WalReceiver.Diagnostics;

namespace WalReceiver.Storage;

/// <summary>
/// Turns the disk's failures into <see cref="WalReceiverException"/>s: permissions are the user's to fix (never retried);
/// anything else (a full disk, an I/O error) may go away, so the receiver retries from what is on disk.
/// </summary>
internal static class ArchiveErrors
{
    /// <summary>Classifies a failure to read or write <paramref name="directory"/>; null for anything that is not a disk error.</summary>
    /// <param name="exception">What the file system API threw.</param>
    /// <param name="directory">The archive directory.</param>
    /// <param name="doing">What failed, as "could not ..." text.</param>
    public static WalReceiverException? Classify(Exception exception, string directory, string doing) => exception switch
    {
        WalReceiverException w => w,
        UnauthorizedAccessException e => new WalReceiverException(FailureKind.Configuration,
            $"{doing} in \"{directory}\": {e.Message.TrimEnd('.')}. Fix the directory's owner or permissions", e),
        IOException e => new WalReceiverException(FailureKind.Transient,
            $"{doing} in \"{directory}\": {e.Message.TrimEnd('.')}. Streaming resumes from what is on disk once the problem (a full disk?) is fixed", e),
        _ => null,
    };
}

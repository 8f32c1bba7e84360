using WalReceiver.Diagnostics;

namespace WalReceiver.Storage;

/// <summary>
/// The failure of an fsync. Linux reports a writeback error once and may then drop the dirty pages, so a second fsync of
/// the same descriptor can succeed although the bytes never reached the disk (PostgreSQL PANICs for this reason). So
/// nothing is retried on that descriptor: the attempt ends, and the segment is streamed again through a new one.
/// </summary>
internal static class DurabilityFailure
{
    /// <summary>The exception for a failed fsync of <paramref name="path"/>.</summary>
    public static WalReceiverException Fsync(string path, IOException e) => new(FailureKind.Transient,
        $"could not fsync \"{path}\": {e.Message.TrimEnd('.')}. Nothing written since the last successful fsync counts as flushed; the " +
        "segment is streamed again from its start through a new file descriptor", e)
    {
        IsDurabilityFailure = true,
    };

    /// <summary>
    /// The failure to make a completed file's manifest line durable: the file keeps its <c>.partial</c> name, as if its own
    /// fsync had failed, because a complete file must never exist without its checksum.
    /// </summary>
    public static WalReceiverException Manifest(string manifest, string fileName, IOException e) => new(FailureKind.Transient,
        $"could not record the checksum of \"{fileName}\" in \"{manifest}\": {e.Message.TrimEnd('.')}. The segment keeps its .partial " +
        "name and is streamed again from its start", e)
    {
        IsDurabilityFailure = true,
    };
}

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
}

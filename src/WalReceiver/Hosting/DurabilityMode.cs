namespace WalReceiver.Hosting;

/// <summary>What the flush position reported to the server means, and so how long the server's slot keeps WAL.</summary>
internal enum DurabilityMode
{
    /// <summary>On the archive's local disk (fsynced): the default, and pg_receivewal's meaning.</summary>
    Local,

    /// <summary>
    /// In the bucket as well (uploaded and verified): the slot holds WAL until the bucket has it, so a lost archive disk
    /// loses nothing the server has not kept. Only complete segments are uploaded, so the reported position stays at the
    /// start of the open segment.
    /// </summary>
    Uploaded,
}

namespace WalReceiver.Storage;

/// <summary>How much an <see cref="ArchiveFinding"/> matters.</summary>
internal enum ArchiveFindingSeverity
{
    /// <summary>The archive cannot be trusted for recovery here: missing, damaged or foreign WAL.</summary>
    Error,

    /// <summary>Worth a look, but recovery is not affected (a leftover file, a file the manifest does not list).</summary>
    Warning,

    /// <summary>A fact about the archive (the segment still being written).</summary>
    Info,
}

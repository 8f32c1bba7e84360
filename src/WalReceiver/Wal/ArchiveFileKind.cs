namespace WalReceiver.Wal;

/// <summary>The kinds of file recovery asks the archive for (what <c>%f</c> of <c>restore_command</c> can name).</summary>
internal enum ArchiveFileKind
{
    /// <summary>A WAL segment, <c>%08X%08X%08X</c>.</summary>
    Segment,

    /// <summary>A timeline history file, <c>%08X.history</c>.</summary>
    TimelineHistory,

    /// <summary>A backup history file, <c>%08X%08X%08X.%08X.backup</c>: the segment and offset where a base backup started.</summary>
    BackupHistory,
}

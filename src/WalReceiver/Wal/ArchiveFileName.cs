namespace WalReceiver.Wal;

/// <summary>
/// Recognizes the file names recovery asks the archive for. Anything else (a path, <c>..</c>, lower-case hex, a
/// <c>.partial</c> or temporary name) is not one of them: a name taken from <c>restore_command</c>'s <c>%f</c> is only
/// ever used inside the archive directory once it passed this check.
/// </summary>
internal static class ArchiveFileName
{
    private const string HistorySuffix = ".history";
    private const string BackupSuffix = ".backup";

    /// <summary>The length of a backup history file name: a segment name, a dot, eight hex digits and <c>.backup</c>.</summary>
    private const int BackupHistoryLength = WalFileName.Length + 1 + 8 + 7;

    /// <summary>Says which kind of archive file <paramref name="name"/> names; false for anything else.</summary>
    public static bool TryClassify(string? name, out ArchiveFileKind kind)
    {
        kind = default;
        if (string.IsNullOrEmpty(name))
            return false;
        if (IsSegmentName(name))
            kind = ArchiveFileKind.Segment;
        else if (name.EndsWith(HistorySuffix, StringComparison.Ordinal) && TimelineId.TryParseHistoryFileName(name, out _))
            kind = ArchiveFileKind.TimelineHistory;
        else if (IsBackupHistoryFileName(name))
            kind = ArchiveFileKind.BackupHistory;
        else
            return false;
        return true;
    }

    /// <summary>
    /// Whether <paramref name="name"/> is 24 upper-case hex digits on a real timeline (not 0). The low part's range
    /// depends on the segment size, which only the file itself tells; it is checked against the file's header.
    /// </summary>
    public static bool IsSegmentName(ReadOnlySpan<char> name) =>
        name.Length == WalFileName.Length && WalFileName.IsUpperHex(name) && !name[..8].SequenceEqual("00000000");

    /// <summary>Whether <paramref name="name"/> is <c>%08X%08X%08X.%08X.backup</c> (segment name, start offset).</summary>
    public static bool IsBackupHistoryFileName(ReadOnlySpan<char> name) =>
        name.Length == BackupHistoryLength
        && IsSegmentName(name[..WalFileName.Length])
        && name[WalFileName.Length] == '.'
        && WalFileName.IsUpperHex(name.Slice(WalFileName.Length + 1, 8))
        && name.EndsWith(BackupSuffix, StringComparison.Ordinal);
}

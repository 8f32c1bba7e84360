namespace WalReceiver.Wal;

/// <summary>What <see cref="WalSegmentInspector"/> found in one segment.</summary>
/// <param name="SegmentSize">The segment size its long page header states; null when that header is missing or wrong.</param>
/// <param name="Pages">Every page header written, with the page's LSN.</param>
/// <param name="Records">Every record that starts in the segment, in order.</param>
/// <param name="End">Why the listing stopped before the end of the segment, or null when it did not.</param>
/// <param name="Damaged">Whether it stopped at something the server cannot have written (a bad header or record length).</param>
internal sealed record WalInspection(
    int? SegmentSize, IReadOnlyList<(Lsn Lsn, WalPageHeader Header)> Pages, IReadOnlyList<WalRecordInfo> Records, string? End, bool Damaged = false);

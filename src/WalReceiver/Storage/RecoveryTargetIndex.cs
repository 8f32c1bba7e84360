using System.Text;
using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// The recovery target events of one completed WAL segment: every commit, abort and restore point whose record ends in
/// it (its last byte is in the segment), in WAL order. A record that begins in an earlier segment is listed here, where
/// it ends, because replaying it needs this segment; so a segment's index depends on the segment and on the one before
/// it (on more than one before only for a record longer than a segment).
/// </summary>
/// <remarks>
/// A segment without events has an index too, with no events: it tells "looked, found nothing" from "not indexed".
/// <see cref="RecoveryTargetIndexFile"/> stores it.
/// </remarks>
internal sealed class RecoveryTargetIndex
{
    /// <summary>
    /// The longest restore point name, in UTF-8 bytes, an index holds. The server's names have at most 63 bytes
    /// (<c>MAXFNAMELEN</c> less the NUL), which decode to at most 189 (each byte that is not UTF-8 becomes U+FFFD).
    /// </summary>
    public const int MaxNameBytes = byte.MaxValue;

    // The most a record can span: the largest record, with a header as long as a segment's first on every page it crosses.
    private const ulong MaxRecordSpan = WalStreamVerifier.MaxRecordSize
        + (((WalStreamVerifier.MaxRecordSize / (WalPageHeader.PageSize - WalPageHeader.LongSize)) + 2) * WalPageHeader.LongSize);

    /// <summary>Checks and wraps <paramref name="events"/>, which must be the events of the given segment, in WAL order.</summary>
    /// <exception cref="ArgumentException">An event does not end in the segment, is out of order, or is not self-consistent.</exception>
    public RecoveryTargetIndex(uint timeline, Lsn segmentStart, WalSegmentSize segmentSize, IEnumerable<RecoveryTargetEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfZero(timeline);
        if (!segmentSize.IsSegmentStart(segmentStart))
            throw new ArgumentException($"{segmentStart} is not the start of a segment of {segmentSize.Bytes} bytes", nameof(segmentStart));
        Timeline = timeline;
        SegmentStart = segmentStart;
        SegmentSize = segmentSize;
        Events = [.. events];
        for (var i = 0; i < Events.Count; i++)
        {
            if (Problem(Events[i], i == 0 ? null : Events[i - 1]) is { } problem)
                throw new ArgumentException($"event {i} ({Events[i]}): {problem}", nameof(events));
        }
    }

    /// <summary>The timeline of the segment.</summary>
    public uint Timeline { get; }

    /// <summary>The LSN of the segment's first byte.</summary>
    public Lsn SegmentStart { get; }

    /// <summary>The cluster's segment size.</summary>
    public WalSegmentSize SegmentSize { get; }

    /// <summary>The events whose records end in the segment, in the order of their starts.</summary>
    public IReadOnlyList<RecoveryTargetEvent> Events { get; }

    /// <summary>The segment's file name, <c>%08X%08X%08X</c>: the WAL file this index belongs to.</summary>
    public string SegmentFileName => WalFileName.Format(Timeline, SegmentStart, SegmentSize);

    // What is wrong with e as the event after previous in this index, or null.
    private string? Problem(RecoveryTargetEvent e, RecoveryTargetEvent? previous)
    {
        if (!Enum.IsDefined(e.Kind))
            return $"unknown kind {(byte)e.Kind}";
        if (e.Time.UtcTicks % TimeSpan.TicksPerMicrosecond != 0)
            return "its time is not a whole number of microseconds, as a PostgreSQL timestamp is";
        if (e.End.Value - e.Start.Value is < WalStreamVerifier.RecordHeaderSize or > MaxRecordSpan || e.End <= e.Start)
        {
            return $"a record from {e.Start} to {e.End} cannot be: it has a {WalStreamVerifier.RecordHeaderSize}-byte header, "
                + $"and at most {WalStreamVerifier.MaxRecordSize} bytes and their page headers";
        }

        if (e.EndSegment(SegmentSize) != SegmentSize.SegmentOf(SegmentStart))
            return $"its record ends at {e.End}, not in the segment starting at {SegmentStart}";
        if (previous is { } p && e.Start <= p.Start)
            return $"it starts at {e.Start}, not after the event before it ({p.Start})";
        if (e.Kind == RecoveryTargetKind.RestorePoint)
        {
            if (e.Name is null || e.Xid != 0)
                return "a restore point has a name and xid 0";
            if (Encoding.UTF8.GetByteCount(e.Name) > MaxNameBytes)
                return $"the restore point name takes more than {MaxNameBytes} bytes in UTF-8";
        }
        else if (e.Name is not null)
        {
            return "only a restore point has a name";
        }

        return null;
    }
}

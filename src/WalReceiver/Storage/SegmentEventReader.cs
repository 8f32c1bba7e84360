using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// The recovery target events of one archived segment, read from the WAL files themselves: what a stored index holds,
/// for a segment that has none (archived before indexing, by another tool, or the first of a stream that began inside
/// a record). Reads every record of the segment, and of the one before it for the record that crosses into it.
/// </summary>
internal static class SegmentEventReader
{
    /// <summary>
    /// The events whose records end in <paramref name="segment"/> (which starts at <paramref name="start"/>), in WAL order.
    /// <paramref name="previous"/> is the segment before it in the same WAL history (possibly of an older timeline), or
    /// empty when the archive has none: a record that begins there is then not listed, and <c>complete</c> is false.
    /// </summary>
    /// <exception cref="FormatException">A commit, abort or restore point record with a right CRC cannot be decoded.</exception>
    public static (List<RecoveryTargetEvent> Events, bool Complete) Read(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> segment, Lsn start,
        WalSegmentSize size)
    {
        var events = new List<RecoveryTargetEvent>();
        if (!WalPageHeader.TryReadLong(segment, out var header) || WalRecordFormat.ForPageMagic(header.Magic) is not { } format)
            return (events, false);
        var number = size.SegmentOf(start);
        void Take(Lsn lsn, ReadOnlySpan<byte> record)
        {
            if (RecoveryTargetDecoder.Decode(record, lsn, size, format) is { } e && e.EndSegment(size) == number)
                events.Add(e);
        }

        var crossesIn = (header.Info & WalPageHeader.FirstIsContRecord) != 0;
        if (crossesIn && !previous.IsEmpty)
            WalSegmentInspector.Inspect(previous, segment, new Lsn(start.Value - (ulong)size.Bytes), Take);
        WalSegmentInspector.Inspect(segment, [], start, Take);
        events.Sort((a, b) => a.Start.CompareTo(b.Start));
        return (events, !crossesIn || !previous.IsEmpty);
    }
}

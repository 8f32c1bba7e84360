using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace WalReceiver.Wal;

/// <summary>
/// Finds the recovery target events (<see cref="RecoveryTargetDecoder"/>) in a WAL stream as it arrives, in order, in
/// pieces of any size and boundary, and hands them out per segment: the events whose records end in a segment, once the
/// stream has passed that segment's end, for its recovery target index.
/// </summary>
/// <remarks>
/// <para>
/// It walks from record to record by <c>xl_tot_len</c> and the page layout, and looks at nothing else of most records:
/// only a commit, abort or restore point record (told from <c>xl_rmid</c> and <c>xl_info</c>, the header's bytes 16 and
/// 17) is decoded. Such a record lying whole in the data at hand is decoded where it is; one split across pages or
/// calls is first copied into a buffer kept from record to record; every other record's body is stepped over unread.
/// Nothing is allocated per record but the events themselves.
/// </para>
/// <para>
/// The bytes are meant to be those <see cref="WalStreamVerifier"/> has checked, so no CRC is computed again. What the
/// scanner relies on is still checked, cheaply, so that other bytes end the scan instead of giving wrong events or an
/// exception: <c>xl_tot_len</c> (zeros where a record should start are the end of the WAL written; a length below a
/// record header or above 1020 MB is not WAL), <c>xl_prev</c>, and each page header's <c>xlp_pageaddr</c>, continuation
/// flags and <c>xlp_rem_len</c>. Then the scanner stops (<see cref="StopReason"/>): it takes any further data without
/// looking at it, and the lists of the segments from where it stopped on are incomplete.
/// </para>
/// <para>
/// A record may be longer than a segment (up to 1020 MB): its event, if it is one, is in the segment that holds its
/// last byte, and the segments it starts in or passes through list nothing for it. An event record that long is copied
/// whole, into a buffer that grows to its length and is let go once the record is decoded; any other record that long
/// costs nothing but its page headers.
/// </para>
/// <para>
/// A stream starts at a segment start, which may be inside a record begun in the segment before
/// (<c>XLP_FIRST_IS_CONTRECORD</c>): that record's tail is skipped by <c>xlp_rem_len</c>. It may have been an event,
/// which the scanner cannot know, so the list of the segment where it ends may lack one (<see cref="TryTakeEvents"/> says so).
/// A record the server abandoned (<c>XLP_FIRST_IS_OVERWRITE_CONTRECORD</c> on the page it should continue onto) is
/// dropped: it never ends, so it is no event.
/// </para>
/// <para>One scanner reads one stream, from one caller at a time: it is not thread-safe.</para>
/// </remarks>
internal sealed partial class RecoveryTargetScanner
{
    private readonly WalSegmentSize _segmentSize;
    private readonly ulong _segmentBytes;
    private readonly WalRecordFormat _format;
    private readonly ulong _start;
    private readonly byte[] _pageHeader = new byte[WalPageHeader.LongSize];
    private readonly List<RecoveryTargetEvent> _events = [];

    private ulong _position;
    private RecoveryTargetScannerMode _mode = RecoveryTargetScannerMode.Start;
    private ulong _paddingEnd;
    private ulong _stoppedAt;
    private string? _stopReason;

    /// <summary>Starts a scanner for a stream of <paramref name="format"/> that begins at <paramref name="start"/>.</summary>
    /// <param name="segmentSize">The cluster's WAL segment size.</param>
    /// <param name="format">The record format of the server's major version (<see cref="WalRecordFormat.ForPageMagic"/>).</param>
    /// <param name="start">The first LSN of the stream: a segment start.</param>
    /// <exception cref="ArgumentException"><paramref name="start"/> is not a segment start.</exception>
    public RecoveryTargetScanner(WalSegmentSize segmentSize, WalRecordFormat format, Lsn start)
    {
        if (!segmentSize.IsSegmentStart(start))
            throw new ArgumentException($"a scanned stream must start at a segment start, not at {start}", nameof(start));
        _segmentSize = segmentSize;
        _segmentBytes = (ulong)segmentSize.Bytes;
        _format = format;
        _start = start.Value;
        _position = start.Value;
    }

    /// <summary>Where the next call's data must start: the end of all the data given so far.</summary>
    public Lsn Position => new(_position);

    /// <summary>Whether scanning stopped; <see cref="StopReason"/> says why.</summary>
    public bool IsStopped => _mode == RecoveryTargetScannerMode.Stopped;

    /// <summary>Why scanning stopped, naming the LSN; null while it goes on.</summary>
    public string? StopReason => _stopReason;

    /// <summary>
    /// Every event whose record ends at or before this LSN (its <see cref="RecoveryTargetEvent.End"/>) has been found,
    /// the record continued from before the stream's start aside: <see cref="Position"/>, or where scanning stopped.
    /// </summary>
    public Lsn CompleteUpTo => new(IsStopped ? _stoppedAt : _position);

    /// <summary>How many records were walked over (each record once, the one continued from before the stream not counted).</summary>
    public long RecordsScanned { get; private set; }

    /// <summary>
    /// Scans <paramref name="data"/>, which begins at <paramref name="at"/>, the <see cref="Position"/>; it may start
    /// and end anywhere, inside page headers and records included. After the scanner stopped, data is taken unread.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="at"/> is not <see cref="Position"/>.</exception>
    /// <exception cref="FormatException">
    /// A commit, abort or restore point record could not be decoded (<see cref="RecoveryTargetDecoder.Decode"/>). The
    /// scanner stopped at that record, with the message as <see cref="StopReason"/>, and all of <paramref name="data"/>
    /// counts as taken: the events before the record are still handed out, and data may still be appended.
    /// </exception>
    // Fully optimized from the first call, as the verifier's Append: a catch-up spends its first seconds here.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Append(Lsn at, ReadOnlySpan<byte> data)
    {
        if (at.Value != _position)
            throw new ArgumentException($"the data starts at {at}, but the previous data ended at {Position}", nameof(at));

        var end = _position + (ulong)data.Length;
        try
        {
            while (!data.IsEmpty)
                data = data[Step(data)..];
        }
        catch (FormatException e)
        {
            Stop(_decoding, e.Message);
            _position = end;
            throw;
        }
    }

    /// <summary>
    /// Takes the events found whose records end in segment <paramref name="segment"/>
    /// (<see cref="RecoveryTargetEvent.EndSegment"/>), in WAL order, once the stream has passed the segment's end; those
    /// of any earlier segment not taken yet are dropped. Returns whether they are all of the segment's events: false,
    /// with <paramref name="incomplete"/> saying why, when scanning stopped before the segment's end, or when the segment
    /// holds the end of the record continued from before the stream's start, which may have been an event.
    /// </summary>
    /// <param name="segment">The segment number (<see cref="WalSegmentSize.SegmentOf"/>).</param>
    /// <param name="events">The events found; when the method returns false, some of the segment's may be missing.</param>
    /// <param name="incomplete">Why the events are not known to be all, or null when they are.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The segment is before the stream's start, or ends after <see cref="Position"/> (its events may still come).
    /// </exception>
    public bool TryTakeEvents(ulong segment, out IReadOnlyList<RecoveryTargetEvent> events, [NotNullWhen(false)] out string? incomplete)
    {
        var first = _segmentSize.SegmentOf(new Lsn(_start));
        if (segment < first)
            throw new ArgumentOutOfRangeException(nameof(segment), segment, $"the stream starts in segment {first}");
        var end = _segmentSize.StartOfSegment(segment + 1);
        if (end.Value > _position)
            throw new ArgumentOutOfRangeException(nameof(segment), segment,
                $"the stream has reached {Position}, not the segment's end {end}");

        // Records do not overlap, so the events' ends are in the order of their starts.
        var earlier = 0;
        while (earlier < _events.Count && _events[earlier].EndSegment(_segmentSize) < segment)
            earlier++;
        var through = earlier;
        while (through < _events.Count && _events[through].EndSegment(_segmentSize) == segment)
            through++;
        events = through == earlier ? [] : [.. _events.GetRange(earlier, through - earlier)];
        _events.RemoveRange(0, through);

        incomplete = IsStopped && end.Value > _stoppedAt
            ? $"scanning stopped before the segment's end: {_stopReason}"
            : _continuedEnd != 0 && _segmentSize.SegmentOf(new Lsn(_continuedEnd - 1)) == segment
                ? $"the record continued from before the stream's start ends in it, at {new Lsn(_continuedEnd)}, "
                    + "and may have been a commit, abort or restore point"
                : null;
        return incomplete is null;
    }

    // One step: the rest of a page header, or data up to the end of the page the position is in.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Step(ReadOnlySpan<byte> data)
    {
        switch (_mode)
        {
            case RecoveryTargetScannerMode.Stopped:
                _position += (ulong)data.Length;
                return data.Length;
            case RecoveryTargetScannerMode.SwitchPadding:
                // Not looked at: the verifier checks it is zeros, and servers before 14 left page headers in it.
                var padding = (int)Math.Min((ulong)data.Length, _paddingEnd - _position);
                _position += (ulong)padding;
                if (_position == _paddingEnd)
                    _mode = RecoveryTargetScannerMode.Records;
                return padding;
        }

        var inPage = (int)(_position & (WalPageHeader.PageSize - 1));
        var headerSize = (_position & (_segmentBytes - 1)) < WalPageHeader.PageSize ? WalPageHeader.LongSize : WalPageHeader.ShortSize;
        if (inPage < headerSize)
        {
            var n = Math.Min(headerSize - inPage, data.Length);
            data[..n].CopyTo(_pageHeader.AsSpan(inPage));
            _position += (ulong)n;
            if (inPage + n == headerSize)
                ReadPageHeader(headerSize);
            return n;
        }

        var page = data[..Math.Min(data.Length, WalPageHeader.PageSize - inPage)];
        return _mode == RecoveryTargetScannerMode.ContinuedRecord ? SkipContinuedRecord(page) : ReadRecords(page);
    }

    private void Stop(ulong at, string reason)
    {
        _mode = RecoveryTargetScannerMode.Stopped;
        _stoppedAt = at;
        _stopReason = reason;
        ForgetRecord();
        if (_record.Length > KeptBufferSize)
            _record = new byte[InitialBufferSize];
    }
}

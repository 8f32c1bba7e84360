namespace WalReceiver.Wal;

/// <summary>The page-header half of the verifier: the checks of PostgreSQL's <c>XLogReaderValidatePageHeader</c>, and continuation.</summary>
internal sealed partial class WalStreamVerifier
{
    // xlp_rem_len ends at 20; the header struct is MAXALIGNed to 24, and the server zero-fills the page first.
    private const int HeaderPaddingOffset = 20;
    private const int HeaderPaddingSize = 4;

    private WalVerificationError? CheckPageHeader(Lsn page, int size)
    {
        var h = WalPageHeader.Read(_pageHeader.AsSpan(0, size));
        if (AcceptEndOfWal && h.IsZero)
        {
            // A page never written: the pre-padded tail of a file read back. A record still incomplete ends with it.
            EndWal(_mode == WalVerifierMode.Record && _recordHave > 0 ? new Lsn(_recordStart) : page);
            return null;
        }

        _magic ??= h.Magic == 0 ? null : h.Magic;
        if (h.Magic != _magic)
            return Problem(page, _magic is { } expected
                ? $"page header magic 0x{h.Magic:X4}, expected 0x{expected:X4}"
                : "page header magic 0x0000: the page was never written");
        if ((h.Info & ~WalPageHeader.AllFlags) != 0)
            return Problem(page, $"xlp_info 0x{h.Info:X4} has bits outside XLP_ALL_FLAGS (0x{WalPageHeader.AllFlags:X4})");
        var segmentStart = (page.Value & (_segmentBytes - 1)) == 0;
        var isLong = (h.Info & WalPageHeader.LongHeader) != 0;
        if (segmentStart != isLong)
            return Problem(page, segmentStart
                ? $"xlp_info 0x{h.Info:X4} lacks XLP_LONG_HEADER on the first page of a segment"
                : $"xlp_info 0x{h.Info:X4} has XLP_LONG_HEADER on a page that does not start a segment");
        if (segmentStart && h.SystemId != _systemId)
            return Problem(page, $"xlp_sysid {h.SystemId}, expected {_systemId}: the segment belongs to another cluster");
        if (segmentStart && h.SegmentSize != _segmentBytes)
            return Problem(page, $"xlp_seg_size {h.SegmentSize}, expected {_segmentBytes}");
        if (segmentStart && h.BlockSize != WalPageHeader.PageSize)
            return Problem(page, $"xlp_xlog_blcksz {h.BlockSize}, expected {WalPageHeader.PageSize}");
        if (h.PageAddress != page)
            return Problem(page, $"xlp_pageaddr {h.PageAddress}, expected {page}");
        if (h.Timeline == 0)
            return Problem(page, "xlp_tli 0: timelines start at 1");
        if (h.Timeline > _timeline)
            return Problem(page, $"xlp_tli {h.Timeline} is later than the stream's timeline {_timeline}");
        if (h.Timeline < _lastTimeline)
            return Problem(page, $"xlp_tli {h.Timeline} is earlier than the previous page's {_lastTimeline}");
        if (_pageHeader.AsSpan(HeaderPaddingOffset, HeaderPaddingSize).IndexOfAnyExcept((byte)0) is >= 0 and var p)
            return Problem(page, $"non-zero byte 0x{_pageHeader[HeaderPaddingOffset + p]:X2} in the page header's padding (offset {HeaderPaddingOffset + p})");
        _lastTimeline = h.Timeline;
        return CheckContinuation(page, h);
    }

    // A page skipped by a switch record: the server zeroes its header too (PostgreSQL 14 and later), or leaves a valid one
    // without continuation, as older servers do.
    private WalVerificationError? CheckSkippedPageHeader(Lsn page, int size)
    {
        var header = _pageHeader.AsSpan(0, size);
        return WalPageHeader.Read(header).Magic == _magic ? CheckPageHeader(page, size) : NonZero(page.Value, header);
    }

    private WalVerificationError? CheckContinuation(Lsn page, WalPageHeader h)
    {
        var continues = (h.Info & WalPageHeader.FirstIsContRecord) != 0;
        var overwrites = (h.Info & WalPageHeader.FirstIsOverwriteContRecord) != 0;
        switch (_mode)
        {
            case WalVerifierMode.Start when continues && !overwrites:
                // The stream starts inside a record begun in an earlier segment: skip its tail, check from the next record.
                if (h.RemainingLength == 0)
                    return Problem(page, "XLP_FIRST_IS_CONTRECORD with xlp_rem_len 0");
                _skipRemaining = h.RemainingLength;
                _mode = WalVerifierMode.SkipContinuation;
                return null;
            case WalVerifierMode.SkipContinuation when overwrites:
            case WalVerifierMode.Record when overwrites && _recordHave > 0:
                // The record that should continue here was never finished; the server wrote new WAL over its place.
                StartRecord();
                return null;
            case WalVerifierMode.SkipContinuation:
                return CheckRemaining(page, h, _skipRemaining, recordStart: null);
            case WalVerifierMode.Record when _recordHave > 0:
                return CheckRemaining(page, h, _recordLength - _recordHave, new Lsn(_recordStart));
            default:
                var atStart = _mode == WalVerifierMode.Start;
                if (atStart)
                    StartRecord();
                if (continues)
                    return Problem(page, $"XLP_FIRST_IS_CONTRECORD is set (xlp_rem_len {h.RemainingLength}) but no record continues onto this page");
                // At the stream's start a record abandoned in the previous segment is out of sight; anywhere else it is pending here.
                if (overwrites && !atStart)
                    return Problem(page, "XLP_FIRST_IS_OVERWRITE_CONTRECORD is set but no record continues onto this page");
                return h.RemainingLength != 0
                    ? Problem(page, $"xlp_rem_len {h.RemainingLength} without XLP_FIRST_IS_CONTRECORD (the server leaves it 0)")
                    : null;
        }
    }

    // Called on every page a record continues onto: the record is named only when there is a problem to report, so the
    // check allocates nothing (an eagerly built name cost 107 bytes per page, 14 MB of garbage per GB of WAL).
    private static WalVerificationError? CheckRemaining(Lsn page, WalPageHeader h, ulong missing, Lsn? recordStart)
    {
        if ((h.Info & WalPageHeader.FirstIsContRecord) == 0)
            return Problem(page, $"xlp_info 0x{h.Info:X4} lacks XLP_FIRST_IS_CONTRECORD, but {Describe(recordStart)} misses {missing} more bytes");
        return h.RemainingLength != missing
            ? Problem(page, $"xlp_rem_len {h.RemainingLength}, expected {missing} (the bytes {Describe(recordStart)} still misses)")
            : null;
    }

    private static string Describe(Lsn? recordStart) =>
        recordStart is { } start ? $"the record at {start}" : "the record continued from before the stream's start";

    private static WalVerificationError Problem(Lsn page, string text) => new(page, text);
}

using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace WalReceiver.Wal;

/// <summary>
/// Checks WAL as it arrives, in order, for one stream that starts at a segment start: every page header, and the
/// CRC-32C of every record, reassembled across page and segment boundaries.
/// </summary>
/// <remarks>
/// <para>
/// The checks are those of PostgreSQL's WAL reader: the page magic; no unknown <c>xlp_info</c> bits; the long header
/// exactly at segment starts with the cluster's system identifier, segment size and page size; <c>xlp_pageaddr</c>
/// equal to the page's own LSN (a recycled segment keeps old addresses); <c>xlp_tli</c> never later than the stream's
/// timeline and never decreasing (pages up to a timeline switch carry the old one); continuation flags and
/// <c>xlp_rem_len</c> that agree with the record still incomplete; <c>xl_tot_len</c> at least a record header;
/// <c>xl_prev</c> pointing at the previous record; and the CRC. After an <c>XLOG_SWITCH</c> record the rest of the
/// segment is padding, page headers included.
/// </para>
/// <para>
/// Beyond the reader's checks, every byte that no CRC covers is checked against what the server can have written: it
/// zero-fills each page before copying records in, so the MAXALIGN padding between records, the padding inside page
/// headers and the rest of a segment after a switch record are zeros, and <c>xlp_rem_len</c> is 0 on a page no record
/// continues onto. So any changed byte is caught, except in the tail of a record begun before the stream's start (which
/// nothing can check) and in the <c>XLP_BKP_REMOVABLE</c> bit of <c>xlp_info</c>, which the server sets or clears freely.
/// </para>
/// <para>
/// The CRC is computed incrementally: the body as its pieces arrive, then the first 20 header bytes, which are kept in
/// a 24-byte buffer. Nothing is allocated per record, and a record split over any number of calls costs no copy. A
/// record that lies whole in the data at hand takes a faster path that checks it in place (<c>ReadWholeRecords</c>).
/// </para>
/// </remarks>
internal sealed partial class WalStreamVerifier
{
    /// <summary><c>SizeOfXLogRecord</c>: the fixed record header.</summary>
    public const int RecordHeaderSize = 24;

    /// <summary>Where <c>xl_crc</c> sits in the record header; the CRC covers the bytes before it.</summary>
    public const int CrcOffset = 20;

    /// <summary><c>XLogRecordMaxSize</c>: no valid record is longer (1020 MB).</summary>
    public const uint MaxRecordSize = 1020u * 1024 * 1024;

    private const int MaxAlign = 8;
    private const byte XlogResourceManager = 0; // RM_XLOG_ID
    private const byte XlogSwitch = 0x40; // XLOG_SWITCH, in the high nibble of xl_info

    private readonly ulong _segmentBytes;
    private readonly ulong _systemId;
    private readonly uint _timeline;
    private readonly byte[] _pageHeader = new byte[WalPageHeader.LongSize];
    private readonly byte[] _recordHeader = new byte[RecordHeaderSize];
    private ushort? _magic;

    private ulong _position;
    private WalVerifierMode _mode = WalVerifierMode.Start;
    private uint _lastTimeline;
    private ulong _skipRemaining;
    private ulong _paddingEnd;
    private ulong _recordStart;
    private uint _recordLength;
    private uint _recordHave;
    private uint _bodyCrc;
    private ulong _previousRecord;
    private Lsn _verifiedAtFailure;
    private Lsn? _endOfWal;

    /// <summary>Starts a verifier for a stream beginning at <paramref name="start"/>, which must be a segment start.</summary>
    /// <param name="segmentSize">The cluster's WAL segment size.</param>
    /// <param name="systemId">The cluster's system identifier, which every long page header must carry.</param>
    /// <param name="timeline">The stream's timeline: no page may carry a later one.</param>
    /// <param name="start">The first LSN of the stream.</param>
    /// <param name="pageMagic">The server version's <c>XLOG_PAGE_MAGIC</c> (<see cref="WalPageMagic"/>), or null to take the first page's.</param>
    public WalStreamVerifier(WalSegmentSize segmentSize, ulong systemId, uint timeline, Lsn start, ushort? pageMagic)
    {
        if (!segmentSize.IsSegmentStart(start))
            throw new ArgumentException($"a verified stream must start at a segment start, not at {start}", nameof(start));
        ArgumentOutOfRangeException.ThrowIfZero(timeline);
        _segmentBytes = (ulong)segmentSize.Bytes;
        _systemId = systemId;
        _timeline = timeline;
        _magic = pageMagic;
        _position = start.Value;
    }

    /// <summary>
    /// Whether zeros where a record or page header should start end the WAL instead of being an error: true for files
    /// read back (a pre-padded <c>.partial</c> ends that way), false for a live stream, which never sends zeros there.
    /// </summary>
    public bool AcceptEndOfWal { get; init; }

    /// <summary>Where valid WAL ended (with <see cref="AcceptEndOfWal"/>), or null if it has not.</summary>
    public Lsn? EndOfWal => _endOfWal;

    /// <summary>Where the next call's data must start.</summary>
    public Lsn Position => new(_position);

    /// <summary>Whether a problem was reported; the verifier takes no more data then.</summary>
    public bool HasFailed => _mode == WalVerifierMode.Failed;

    /// <summary>How many records had their CRC checked and found right.</summary>
    public long RecordsChecked { get; private set; }

    /// <summary>
    /// Every byte before this LSN belongs to a checked page header, a record whose CRC was checked, or switch-record
    /// padding: it is the start of the record still incomplete, or the end of the data if none is pending.
    /// </summary>
    /// <remarks>
    /// Two kinds of bytes count as verified without a CRC: the tail of a record begun before the stream's start, which
    /// no reader of this stream can check, and a record the server abandoned (<c>XLP_FIRST_IS_OVERWRITE_CONTRECORD</c>).
    /// </remarks>
    public Lsn VerifiedUpTo => _mode switch
    {
        WalVerifierMode.Failed => _verifiedAtFailure,
        WalVerifierMode.EndOfWal => _endOfWal ?? Position,
        WalVerifierMode.Record when _recordHave > 0 => new Lsn(_recordStart),
        WalVerifierMode.SwitchPadding => Position,
        _ => InPage(_position) is > 0 and var o && o < HeaderSizeAt(_position) ? new Lsn(_position - (ulong)o) : Position,
    };

    /// <summary>
    /// Checks <paramref name="data"/>, which begins at <paramref name="start"/> (the end of the previous call's data);
    /// it may span pages and segments. Returns null when all is well, else the first problem found (nothing after it is
    /// checked, and the verifier takes no more data).
    /// </summary>
    // Fully optimized from the first call, like the paths it calls per page.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public WalVerificationError? Append(Lsn start, ReadOnlySpan<byte> data)
    {
        if (_mode == WalVerifierMode.Failed)
            throw new InvalidOperationException("the verifier reported a problem and checks nothing more; start a new one");
        if (start.Value != _position)
            throw new ArgumentException($"the data starts at {start}, but the previous data ended at {Position}", nameof(start));

        while (!data.IsEmpty)
        {
            var (used, error) = Step(data);
            data = data[used..];
            if (error is not null)
            {
                // A bad page header is reported at the page's start, a bad record at its own: nothing from there on counts.
                _verifiedAtFailure = VerifiedUpTo < error.Lsn ? VerifiedUpTo : error.Lsn;
                _mode = WalVerifierMode.Failed;
                return error;
            }
        }

        return null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (int Used, WalVerificationError? Error) Step(ReadOnlySpan<byte> data)
    {
        if (_mode == WalVerifierMode.EndOfWal)
        {
            _position += (ulong)data.Length;
            return (data.Length, null);
        }

        var inPage = InPage(_position);
        var headerSize = HeaderSizeAt(_position);
        if (inPage < headerSize)
        {
            var n = Math.Min(headerSize - inPage, data.Length);
            data[..n].CopyTo(_pageHeader.AsSpan(inPage));
            _position += (ulong)n;
            if (inPage + n < headerSize)
                return (n, null);
            var start = new Lsn(_position - (ulong)headerSize);
            return (n, _mode == WalVerifierMode.SwitchPadding ? CheckSkippedPageHeader(start, headerSize) : CheckPageHeader(start, headerSize));
        }

        var page = data[..Math.Min(data.Length, WalPageHeader.PageSize - inPage)];
        return _mode switch
        {
            WalVerifierMode.SkipContinuation => (SkipContinuation(page), null),
            WalVerifierMode.Padding or WalVerifierMode.SwitchPadding => Pad(page),
            _ => ReadRecord(page),
        };
    }

    private int SkipContinuation(ReadOnlySpan<byte> page)
    {
        var n = (int)Math.Min((ulong)page.Length, _skipRemaining);
        _position += (ulong)n;
        _skipRemaining -= (ulong)n;
        if (_skipRemaining == 0)
            StartPadding();
        return n;
    }

    // The server zero-fills every WAL page before it copies records in, so padding is zeros: a byte that is not was
    // changed on the way, and is reported at its own LSN.
    private (int Used, WalVerificationError? Error) Pad(ReadOnlySpan<byte> page)
    {
        var n = (int)Math.Min((ulong)page.Length, _paddingEnd - _position);
        var start = _position;
        _position += (ulong)n;
        var error = NonZero(start, page[..n]);
        if (error is null && _position == _paddingEnd)
            StartRecord();
        return (n, error);
    }

    private WalVerificationError? NonZero(ulong start, ReadOnlySpan<byte> bytes)
    {
        var i = bytes.IndexOfAnyExcept((byte)0);
        if (i < 0)
            return null;
        var where = _mode == WalVerifierMode.SwitchPadding
            ? $"the padding after the switch record at {new Lsn(_previousRecord)}"
            : _previousRecord == 0
                ? "the alignment padding after the record continued from before the stream's start"
                : $"the alignment padding after the record at {new Lsn(_previousRecord)}";
        return new WalVerificationError(new Lsn(start + (ulong)i), $"non-zero byte 0x{bytes[i]:X2} in {where}");
    }

    private (int Used, WalVerificationError? Error) ReadRecord(ReadOnlySpan<byte> page)
    {
        if (_recordHave == 0 && ReadWholeRecords(page) is > 0 and var whole)
            return (whole, null);
        var used = 0;
        if (_recordHave < RecordHeaderSize)
        {
            if (_recordHave == 0)
                _recordStart = _position;
            used = Math.Min(RecordHeaderSize - (int)_recordHave, page.Length);
            page[..used].CopyTo(_recordHeader.AsSpan((int)_recordHave));
            _recordHave += (uint)used;
            _position += (ulong)used;
            if (_recordLength == 0 && _recordHave >= sizeof(uint))
            {
                // A record starts MAXALIGNed, so its length is always on its first page: checked before any byte more.
                var lengthError = CheckLength();
                if (lengthError is not null || _mode == WalVerifierMode.EndOfWal)
                    return (used, lengthError);
            }

            if (_recordHave < RecordHeaderSize)
                return (used, null);
            var previous = BinaryPrimitives.ReadUInt64LittleEndian(_recordHeader.AsSpan(8));
            if (_previousRecord != 0 && previous != _previousRecord)
                return (used, new WalVerificationError(new Lsn(_recordStart),
                    $"xl_prev {new Lsn(previous)}, expected {new Lsn(_previousRecord)} (the start of the previous record)"));
            _bodyCrc = Crc32C.Initial;
        }

        var take = (int)Math.Min((uint)(page.Length - used), _recordLength - _recordHave);
        _bodyCrc = Crc32C.Append(_bodyCrc, page.Slice(used, take));
        _recordHave += (uint)take;
        _position += (ulong)take;
        used += take;
        return (used, _recordHave == _recordLength ? FinishRecord() : null);
    }

    private WalVerificationError? CheckLength()
    {
        var length = BinaryPrimitives.ReadUInt32LittleEndian(_recordHeader);
        if (length == 0 && AcceptEndOfWal)
        {
            EndWal(new Lsn(_recordStart));
            return null;
        }

        if (length < RecordHeaderSize)
            return new WalVerificationError(new Lsn(_recordStart), length == 0
                ? "xl_tot_len 0 where a record should start (zeros: no WAL was written here)"
                : $"xl_tot_len {length} is below the record header size ({RecordHeaderSize})");
        if (length > MaxRecordSize)
            return new WalVerificationError(new Lsn(_recordStart), $"xl_tot_len {length} is above the largest record size ({MaxRecordSize})");
        _recordLength = length;
        return null;
    }

    private WalVerificationError? FinishRecord()
    {
        var header = _recordHeader.AsSpan();
        var computed = Crc32C.Finish(Crc32C.Append(_bodyCrc, header[..CrcOffset]));
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(header[CrcOffset..]);
        if (computed != stored)
            return new WalVerificationError(new Lsn(_recordStart), $"record CRC mismatch: computed 0x{computed:X8}, xl_crc 0x{stored:X8} (xl_tot_len {_recordLength})");
        RecordsChecked++;
        _previousRecord = _recordStart;
        if (header[17] == XlogResourceManager && (header[16] & 0xF0) == XlogSwitch)
        {
            // The reader treats a switch record as reaching to the end of its segment: the rest is never read.
            _paddingEnd = (_position + _segmentBytes - 1) & ~(_segmentBytes - 1);
            _recordHave = 0;
            _recordLength = 0;
            _mode = WalVerifierMode.SwitchPadding;
            if (_paddingEnd == _position)
                StartRecord();
        }
        else
        {
            StartPadding();
        }

        return null;
    }

    private void StartPadding()
    {
        _paddingEnd = (_position + MaxAlign - 1) & ~(ulong)(MaxAlign - 1);
        if (_paddingEnd == _position)
            StartRecord();
        else
            _mode = WalVerifierMode.Padding;
    }

    private void StartRecord()
    {
        _recordHave = 0;
        _recordLength = 0;
        _mode = WalVerifierMode.Record;
    }

    private void EndWal(Lsn end)
    {
        _endOfWal = end;
        _mode = WalVerifierMode.EndOfWal;
    }

    private static int InPage(ulong position) => (int)(position & (WalPageHeader.PageSize - 1));

    private int HeaderSizeAt(ulong position) =>
        (position & (_segmentBytes - 1)) < WalPageHeader.PageSize ? WalPageHeader.LongSize : WalPageHeader.ShortSize;
}

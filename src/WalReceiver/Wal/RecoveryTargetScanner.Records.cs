using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace WalReceiver.Wal;

/// <summary>
/// The record half of the scanner: records that lie whole in the page at hand are walked where they are; a record split
/// across pages or calls goes through its header (kept in a small buffer) and then its body, skipped or copied.
/// </summary>
internal sealed partial class RecoveryTargetScanner
{
    private const int MaxAlign = 8;
    private const byte XlogResourceManager = 0; // RM_XLOG_ID
    private const byte XactResourceManager = 1; // RM_XACT_ID
    private const byte XlogSwitch = 0x40; // XLOG_SWITCH, in the high nibble of xl_info

    // Commit records are mostly well under a page. The buffer grows for a longer event record, and one grown past the
    // kept size is let go after use: a rare commit of many megabytes must not hold its memory for the stream's life.
    private const int InitialBufferSize = 8192;
    private const int KeptBufferSize = 1 << 20;

    private readonly byte[] _recordHeader = new byte[WalStreamVerifier.RecordHeaderSize];
    private byte[] _record = new byte[InitialBufferSize];

    private ulong _recordStart;
    private uint _recordLength; // 0 until the first four header bytes are in
    private uint _recordHave; // 0 at a record start (or in the alignment padding before it)
    private bool _copying;
    private ulong _previousRecord; // the last record's start, which the next one's xl_prev names; 0 when not known
    private ulong _decoding; // the start of the record being decoded, where a FormatException stops the scan

    // Reads records from the page at hand (bytes after the position, up to the page's end at most).
    private int ReadRecords(ReadOnlySpan<byte> page)
    {
        if (_recordHave == 0)
        {
            // Records start MAXALIGNed; the padding after the previous one never crosses a page end (pages are aligned).
            var misaligned = (int)(_position & (MaxAlign - 1));
            if (misaligned != 0)
            {
                var padding = Math.Min(MaxAlign - misaligned, page.Length);
                _position += (ulong)padding;
                return padding;
            }

            var whole = ReadWholeRecords(page);
            if (whole > 0)
                return whole;
            _recordStart = _position;
        }

        return ReadRecordPiece(page);
    }

    /// <summary>
    /// Walks the records that start at the position, a record start, and lie whole, padding included, in
    /// <paramref name="page"/>; returns how many bytes they take. Stops at the first record that does not, is a switch
    /// record or has a length or <c>xl_prev</c> that is wrong: the piecewise path takes that one and stops the scan.
    /// </summary>
    // The hot loop: per record, a few header bytes are read and the body is never touched.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ReadWholeRecords(ReadOnlySpan<byte> page)
    {
        var at = 0;
        var previous = _previousRecord;
        var position = _position;
        var count = 0;
        while (page.Length - at >= WalStreamVerifier.RecordHeaderSize)
        {
            var record = page[at..];
            var length = BinaryPrimitives.ReadUInt32LittleEndian(record);
            var aligned = ((ulong)length + (MaxAlign - 1)) & ~(ulong)(MaxAlign - 1);
            if (length < WalStreamVerifier.RecordHeaderSize || aligned > (ulong)record.Length)
                break;
            if (previous != 0 && BinaryPrimitives.ReadUInt64LittleEndian(record[8..]) != previous)
                break;
            var resourceManager = record[17];
            // Only XLOG and Transaction records are events or switches: one comparison for all the others.
            if (resourceManager <= XactResourceManager)
            {
                var info = record[16];
                if (resourceManager == XlogResourceManager && (info & 0xF0) == XlogSwitch)
                    break;
                if (RecoveryTargetDecoder.IsEventRecord(resourceManager, info))
                    Decode(record[..(int)length], position + (ulong)at);
            }

            previous = position + (ulong)at;
            count++;
            at += (int)aligned;
        }

        _position += (ulong)at;
        _previousRecord = previous;
        RecordsScanned += count;
        return at;
    }

    // The record at _recordStart, piece by piece: its header into _recordHeader, then its body, copied only for an event.
    private int ReadRecordPiece(ReadOnlySpan<byte> page)
    {
        var used = 0;
        if (_recordHave < WalStreamVerifier.RecordHeaderSize)
        {
            used = Math.Min(WalStreamVerifier.RecordHeaderSize - (int)_recordHave, page.Length);
            page[..used].CopyTo(_recordHeader.AsSpan((int)_recordHave));
            _recordHave += (uint)used;
            _position += (ulong)used;
            // A record starts MAXALIGNed, so its length is always on its first page.
            if (_recordLength == 0 && _recordHave >= sizeof(uint) && !TakeLength())
                return used;
            if (_recordHave < WalStreamVerifier.RecordHeaderSize || !StartBody())
                return used;
        }

        var take = (int)Math.Min((uint)(page.Length - used), _recordLength - _recordHave);
        if (_copying)
            page.Slice(used, take).CopyTo(_record.AsSpan((int)_recordHave));
        _recordHave += (uint)take;
        _position += (ulong)take;
        used += take;
        if (_recordHave == _recordLength)
            FinishRecord();
        return used;
    }

    private bool TakeLength()
    {
        var length = BinaryPrimitives.ReadUInt32LittleEndian(_recordHeader);
        if (length is < WalStreamVerifier.RecordHeaderSize or > WalStreamVerifier.MaxRecordSize)
        {
            Stop(_recordStart, length == 0
                ? $"no record at {new Lsn(_recordStart)}: xl_tot_len 0 (zeros, the end of the WAL written)"
                : $"the record at {new Lsn(_recordStart)} has xl_tot_len {length}, which no record has");
            return false;
        }

        _recordLength = length;
        return true;
    }

    // The whole header is in: checks xl_prev, and decides whether the body is copied.
    private bool StartBody()
    {
        var previous = BinaryPrimitives.ReadUInt64LittleEndian(_recordHeader.AsSpan(8));
        if (_previousRecord != 0 && previous != _previousRecord)
        {
            Stop(_recordStart,
                $"the record at {new Lsn(_recordStart)} has xl_prev {new Lsn(previous)}, not the previous record's start {new Lsn(_previousRecord)}");
            return false;
        }

        _copying = RecoveryTargetDecoder.IsEventRecord(_recordHeader[17], _recordHeader[16]);
        if (_copying)
        {
            if (_record.Length < _recordLength)
                _record = new byte[Math.Max(_recordLength, Math.Min(2L * _record.Length, WalStreamVerifier.MaxRecordSize))];
            _recordHeader.CopyTo(_record, 0);
        }

        return true;
    }

    private void FinishRecord()
    {
        var start = _recordStart;
        var length = (int)_recordLength;
        var copied = _copying;
        var isSwitch = _recordHeader[17] == XlogResourceManager && (_recordHeader[16] & 0xF0) == XlogSwitch;
        _previousRecord = start;
        RecordsScanned++;
        ForgetRecord();
        if (isSwitch)
        {
            // A switch record is taken to reach to the end of its segment: nothing after it there is WAL.
            _paddingEnd = (_position + _segmentBytes - 1) & ~(_segmentBytes - 1);
            if (_paddingEnd != _position)
                _mode = RecoveryTargetScannerMode.SwitchPadding;
        }

        if (copied)
        {
            Decode(_record.AsSpan(0, length), start);
            if (_record.Length > KeptBufferSize)
                _record = new byte[InitialBufferSize];
        }
    }

    private void Decode(ReadOnlySpan<byte> record, ulong start)
    {
        _decoding = start;
        if (RecoveryTargetDecoder.Decode(record, new Lsn(start), _segmentSize, _format) is { } found)
            _events.Add(found);
    }

    // Back to a record start, with no record in progress.
    private void ForgetRecord()
    {
        _recordHave = 0;
        _recordLength = 0;
        _copying = false;
    }
}

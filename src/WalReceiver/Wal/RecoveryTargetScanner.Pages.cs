using System.Buffers.Binary;

namespace WalReceiver.Wal;

/// <summary>The page half of the scanner: page headers, and the record continued from before the stream's start.</summary>
internal sealed partial class RecoveryTargetScanner
{
    private ulong _continuedRemaining;
    private ulong _continuedEnd;

    // A whole page header is in _pageHeader, and the position just past it. Only what decides where records lie is read:
    // the page's address, so that a page of other bytes is not taken for WAL, and whether a record continues onto it.
    private void ReadPageHeader(int headerSize)
    {
        var page = _position - (ulong)headerSize;
        var info = BinaryPrimitives.ReadUInt16LittleEndian(_pageHeader.AsSpan(2));
        var address = BinaryPrimitives.ReadUInt64LittleEndian(_pageHeader.AsSpan(8));
        var remaining = BinaryPrimitives.ReadUInt32LittleEndian(_pageHeader.AsSpan(16));
        // A record in progress never ends if this page is not its continuation: nothing before its start is lost.
        var stopAt = _mode == RecoveryTargetScannerMode.Records && _recordHave > 0 ? _recordStart : page;
        if (address != page)
        {
            Stop(stopAt, address == 0 && info == 0
                ? $"no page header at {new Lsn(page)}: zeros, the end of the WAL written"
                : $"the page at {new Lsn(page)} has xlp_pageaddr {new Lsn(address)}: it is not a page of this stream");
            return;
        }

        var continues = (info & WalPageHeader.FirstIsContRecord) != 0;
        var overwrites = (info & WalPageHeader.FirstIsOverwriteContRecord) != 0;
        if (continues && overwrites)
        {
            Stop(stopAt, $"the page at {new Lsn(page)} has both XLP_FIRST_IS_CONTRECORD and XLP_FIRST_IS_OVERWRITE_CONTRECORD");
            return;
        }

        if (_mode == RecoveryTargetScannerMode.Start)
        {
            if (continues && remaining is 0 or > WalStreamVerifier.MaxRecordSize)
            {
                Stop(page, $"the page at {new Lsn(page)} has XLP_FIRST_IS_CONTRECORD with xlp_rem_len {remaining}, which no record has left");
                return;
            }

            _continuedRemaining = remaining;
            _mode = continues ? RecoveryTargetScannerMode.ContinuedRecord : RecoveryTargetScannerMode.Records;
            return;
        }

        var missing = _mode == RecoveryTargetScannerMode.ContinuedRecord ? _continuedRemaining
            : _recordHave > 0 ? _recordLength - (ulong)_recordHave
            : 0;
        if (overwrites && missing > 0)
        {
            // The server gave up the record (a crash or promotion before its end) and wrote new records here instead.
            _mode = RecoveryTargetScannerMode.Records;
            ForgetRecord();
            _previousRecord = 0; // the new record's xl_prev is not the abandoned one
        }
        else if (continues != missing > 0 || remaining != missing)
        {
            Stop(stopAt, missing > 0
                ? $"the page at {new Lsn(page)} has xlp_info 0x{info:X4} and xlp_rem_len {remaining}, "
                    + $"but the record before it misses {missing} bytes"
                : $"the page at {new Lsn(page)} has xlp_info 0x{info:X4} and xlp_rem_len {remaining}, but no record continues onto it");
        }
    }

    // Steps over the tail of the record begun before the stream's start; what follows it is found like any record.
    private int SkipContinuedRecord(ReadOnlySpan<byte> page)
    {
        var n = (int)Math.Min((ulong)page.Length, _continuedRemaining);
        _position += (ulong)n;
        _continuedRemaining -= (ulong)n;
        if (_continuedRemaining == 0)
        {
            _continuedEnd = _position;
            _mode = RecoveryTargetScannerMode.Records;
        }

        return n;
    }
}

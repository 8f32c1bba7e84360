using System.Buffers.Binary;

namespace WalReceiver.Wal;

/// <summary>
/// Lists a segment's page headers and the records that start in it, reassembling each record across pages (and into
/// the next segment when that is given) to check its CRC. Written for reading, not streaming: it copies every record,
/// which the streaming verifier (<see cref="WalStreamVerifier"/>) never does.
/// </summary>
/// <remarks>
/// Like pg_waldump given one file, it skips the tail of a record begun in the segment before (the first page's
/// <c>xlp_rem_len</c>) and stops at the first record length of zero (the end of WAL in a <c>.partial</c>) or after an
/// <c>XLOG_SWITCH</c> record (the rest of the segment is padding).
/// </remarks>
internal static class WalSegmentInspector
{
    private const int MaxAlign = 8;

    /// <summary>Inspects <paramref name="segment"/>, which starts at <paramref name="start"/>; <paramref name="next"/> is the following segment's bytes, or empty.</summary>
    /// <param name="segment">The segment's bytes, from its start; fewer than a segment for a <c>.partial</c>.</param>
    /// <param name="next">The following segment's bytes, or empty.</param>
    /// <param name="start">The LSN of the segment's first byte.</param>
    /// <param name="wholeRecord">
    /// Given, in order, each record listed whose CRC was checked and found right, reassembled: the bytes are valid only
    /// during the call. What is listed does not depend on it.
    /// </param>
    public static WalInspection Inspect(ReadOnlySpan<byte> segment, ReadOnlySpan<byte> next, Lsn start, WholeRecordHandler? wholeRecord = null)
    {
        var pages = new List<(Lsn, WalPageHeader)>();
        var records = new List<WalRecordInfo>();
        if (!WalPageHeader.TryReadLong(segment, out var first))
            return new(null, pages, records, "the file does not start with a segment's long page header: it is not the start of a WAL segment", Damaged: true);
        if (!WalSegmentSize.IsValid(first.SegmentSize) || first.PageAddress != start)
            return new(null, pages, records,
                $"the long page header states segment size {first.SegmentSize} and address {first.PageAddress}, not a segment starting at {start}",
                Damaged: true);

        var segmentBytes = (int)first.SegmentSize;
        for (var p = 0; p + WalPageHeader.ShortSize <= segment.Length; p += WalPageHeader.PageSize)
        {
            var header = WalPageHeader.Read(segment.Slice(p, p == 0 ? WalPageHeader.LongSize : WalPageHeader.ShortSize));
            if (header.IsZero)
                break;
            pages.Add((start + (ulong)p, header));
        }

        var data = new Joined(segment, next);
        var buffer = new byte[1 << 16];
        long cursor = WalPageHeader.LongSize;
        if ((first.Info & WalPageHeader.FirstIsContRecord) != 0)
            cursor = Align(Copy(data, cursor, first.RemainingLength, [], segmentBytes).End);
        string? end = null;
        var damaged = false;
        while (true)
        {
            cursor = PastPageHeader(cursor, segmentBytes);
            if (cursor >= segment.Length)
            {
                if (segment.Length < segmentBytes)
                    end = $"the file ends at {start + (ulong)segment.Length}, before the end of the segment (the WAL received so far)";
                break;
            }

            var lsn = start + (ulong)cursor;
            if (cursor + 4 > segment.Length)
            {
                end = $"the file ends inside the record length at {lsn}";
                break;
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(segment[(int)cursor..]);
            if (length == 0)
            {
                end = $"no record at {lsn}: the rest is zeros (the end of the WAL written)";
                break;
            }

            if (length is < WalStreamVerifier.RecordHeaderSize or > WalStreamVerifier.MaxRecordSize)
            {
                end = $"invalid record length {length} at {lsn}";
                damaged = true;
                break;
            }

            if (buffer.Length < length)
                buffer = new byte[Math.Max(length, buffer.Length * 2L)];
            var (after, copied) = Copy(data, cursor, length, buffer, segmentBytes);
            if (copied < WalStreamVerifier.RecordHeaderSize)
            {
                end = $"the record at {lsn} continues past what was read, inside its header";
                break;
            }

            bool? crcOk = copied == length ? CrcMatches(buffer.AsSpan(0, (int)length)) : null;
            if (crcOk == false && buffer[length - 1] == 0 && after <= segment.Length && segment[(int)after..].IndexOfAnyExcept((byte)0) < 0)
            {
                // Zeros from inside the record to the end of the file: a .partial whose WAL ends inside this record (the
                // rest of the file was never written, or was zero-filled at a clean stop). Nothing can check it yet.
                records.Add(Header(buffer, lsn, crcOk: null));
                end = $"the WAL written ends inside the record at {lsn}: zeros follow to the end of the file";
                break;
            }

            var record = Header(buffer, lsn, crcOk);
            records.Add(record);
            if (crcOk == true)
                wholeRecord?.Invoke(lsn, buffer.AsSpan(0, (int)length));
            if (copied < length)
            {
                end = $"the record at {lsn} ({length} bytes) continues past what was read: its CRC was not checked";
                break;
            }

            if (record.ResourceManager == 0 && (record.Info & 0xF0) == 0x40)
            {
                end = $"XLOG_SWITCH at {lsn}: the rest of the segment is padding";
                break;
            }

            cursor = Align(after);
        }

        return new(segmentBytes, pages, records, end, damaged);
    }

    private static WalRecordInfo Header(byte[] r, Lsn lsn, bool? crcOk) => new(
        lsn,
        BinaryPrimitives.ReadUInt32LittleEndian(r),
        BinaryPrimitives.ReadUInt32LittleEndian(r.AsSpan(4)),
        new Lsn(BinaryPrimitives.ReadUInt64LittleEndian(r.AsSpan(8))),
        r[16],
        r[17],
        crcOk);

    // xl_crc covers the record after its header, then the header up to xl_crc.
    private static bool CrcMatches(ReadOnlySpan<byte> record)
    {
        var crc = Crc32C.Append(Crc32C.Initial, record[WalStreamVerifier.RecordHeaderSize..]);
        crc = Crc32C.Finish(Crc32C.Append(crc, record[..WalStreamVerifier.CrcOffset]));
        return crc == BinaryPrimitives.ReadUInt32LittleEndian(record[WalStreamVerifier.CrcOffset..]);
    }

    // Copies up to count bytes of record data from cursor into destination (or only skips them when it is empty), stepping
    // over the page headers on the way; returns where it stopped and how many bytes there were.
    private static (long End, uint Copied) Copy(Joined data, long cursor, uint count, Span<byte> destination, int segmentBytes)
    {
        uint copied = 0;
        while (copied < count)
        {
            cursor = PastPageHeader(cursor, segmentBytes);
            if (cursor >= data.Length)
                break;
            var onPage = WalPageHeader.PageSize - (int)(cursor % WalPageHeader.PageSize);
            var n = (int)Math.Min(Math.Min(onPage, count - copied), data.Length - cursor);
            if (!destination.IsEmpty)
                data.CopyTo(cursor, destination.Slice((int)copied, n));
            copied += (uint)n;
            cursor += n;
        }

        return (cursor, copied);
    }

    private static long PastPageHeader(long cursor, int segmentBytes) => cursor % WalPageHeader.PageSize != 0
        ? cursor
        : cursor + (cursor % segmentBytes == 0 ? WalPageHeader.LongSize : WalPageHeader.ShortSize);

    private static long Align(long cursor) => (cursor + MaxAlign - 1) & ~(long)(MaxAlign - 1);

    // A segment followed by the next, read as one run of bytes.
    private readonly ref struct Joined(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        private readonly ReadOnlySpan<byte> _first = first;
        private readonly ReadOnlySpan<byte> _second = second;

        public long Length => _first.Length + (long)_second.Length;

        public void CopyTo(long offset, Span<byte> destination)
        {
            var fromFirst = (int)Math.Clamp(_first.Length - offset, 0, destination.Length);
            if (fromFirst > 0)
                _first.Slice((int)offset, fromFirst).CopyTo(destination);
            if (fromFirst < destination.Length)
                _second.Slice((int)(offset + fromFirst - _first.Length), destination.Length - fromFirst).CopyTo(destination[fromFirst..]);
        }
    }
}

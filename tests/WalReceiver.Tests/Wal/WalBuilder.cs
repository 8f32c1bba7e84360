using System.Buffers.Binary;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

/// <summary>
/// Writes synthetic WAL the way the server lays it out: page headers (long at segment starts), MAXALIGNed records
/// with correct CRCs and <c>xl_prev</c>, continuation across pages and segments, switch records with zero padding.
/// </summary>
internal sealed class WalBuilder
{
    public const ulong SystemId = 7123456789012345678;
    public const ushort Magic = 0xD110;
    private const int PageSize = WalPageHeader.PageSize;

    private readonly List<byte> _bytes = [];
    private readonly Random _random;
    private ulong _position;
    private ulong _previous;

    public WalBuilder(WalSegmentSize segmentSize, Lsn start, int seed = 1)
    {
        SegmentSize = segmentSize;
        Start = start;
        _position = start.Value;
        _random = new Random(seed);
    }

    public WalSegmentSize SegmentSize { get; }

    public Lsn Start { get; }

    /// <summary>The timeline written into page headers from the next page on.</summary>
    public uint Timeline { get; set; } = 1;

    /// <summary>Every record written: its start and length.</summary>
    public List<(Lsn Start, int Length)> Records { get; } = [];

    public Lsn End => new(_position);

    public byte[] ToArray() => [.. _bytes];

    /// <summary>The offset in <see cref="ToArray"/> of <paramref name="lsn"/>.</summary>
    public int OffsetOf(Lsn lsn) => checked((int)(lsn.Value - Start.Value));

    /// <summary>Starts the stream inside a record of an earlier segment: <paramref name="remaining"/> bytes of its tail.</summary>
    public WalBuilder Continuation(int remaining)
    {
        var tail = new byte[remaining];
        _random.NextBytes(tail);
        Emit(tail, alreadyWritten: 1);
        return this;
    }

    /// <summary>A record of <paramref name="length"/> bytes (at least 24) with a random body.</summary>
    public Lsn Record(int length, byte rmid = 10, byte info = 0x00)
    {
        var record = new byte[length];
        _random.NextBytes(record.AsSpan(WalStreamVerifier.RecordHeaderSize));
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), 1234);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(8), _previous);
        record[16] = info;
        record[17] = rmid;
        var crc = Crc32C.Append(Crc32C.Initial, record.AsSpan(WalStreamVerifier.RecordHeaderSize));
        crc = Crc32C.Finish(Crc32C.Append(crc, record.AsSpan(0, WalStreamVerifier.CrcOffset)));
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(WalStreamVerifier.CrcOffset), crc);
        return Raw(record);
    }

    /// <summary>A whole record (as <see cref="RecordBuilder"/> makes it) with its xl_prev set to the previous record's start and its CRC redone.</summary>
    public Lsn Chained(byte[] record)
    {
        RecordBuilder.Finish(record, rmid: record[17], info: record[16], xid: BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(4)), previous: _previous);
        return Raw(record);
    }

    /// <summary>A record given byte for byte (nothing is fixed up).</summary>
    public Lsn Raw(byte[] record)
    {
        if (_position % PageSize == 0)
            PageHeader(0);
        var start = new Lsn(_position);
        Emit(record, alreadyWritten: 0);
        Records.Add((start, record.Length));
        _previous = start.Value;
        return start;
    }

    /// <summary>An <c>XLOG_SWITCH</c> record, then zeros (page headers included) to the end of the segment.</summary>
    public Lsn Switch()
    {
        var start = Record(WalStreamVerifier.RecordHeaderSize, rmid: 0, info: 0x40);
        Zeros((int)(SegmentSize.StartOf(new Lsn(_position - 1)).Value + (ulong)SegmentSize.Bytes - _position));
        return start;
    }

    /// <summary>Records of random sizes (some spanning pages) until <paramref name="end"/> is reached or passed.</summary>
    public WalBuilder Fill(Lsn end, int maxLength = 3000)
    {
        while (_position < end.Value)
            Record(_random.Next(WalStreamVerifier.RecordHeaderSize, maxLength));
        return this;
    }

    /// <summary>Zero bytes, as after the end of WAL or a switch record.</summary>
    public void Zeros(int count)
    {
        for (var i = 0; i < count; i++)
            _bytes.Add(0);
        _position += (ulong)count;
    }

    private void Emit(byte[] data, int alreadyWritten)
    {
        var offset = 0;
        while (offset < data.Length)
        {
            if (_position % PageSize == 0)
                PageHeader(offset > 0 || alreadyWritten > 0 ? data.Length - offset : 0);
            var n = Math.Min(data.Length - offset, PageSize - (int)(_position % PageSize));
            _bytes.AddRange(data.AsSpan(offset, n));
            _position += (ulong)n;
            offset += n;
        }

        Zeros((int)((8 - _position % 8) % 8));
    }

    private void PageHeader(int remaining)
    {
        var isLong = SegmentSize.IsSegmentStart(new Lsn(_position));
        var header = new byte[isLong ? WalPageHeader.LongSize : WalPageHeader.ShortSize];
        BinaryPrimitives.WriteUInt16LittleEndian(header, Magic);
        var info = (ushort)((isLong ? WalPageHeader.LongHeader : 0) | (remaining > 0 ? WalPageHeader.FirstIsContRecord : 0));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), info);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), Timeline);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(8), _position);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), (uint)remaining);
        if (isLong)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(24), SystemId);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(32), (uint)SegmentSize.Bytes);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(36), PageSize);
        }

        _bytes.AddRange(header);
        _position += (ulong)header.Length;
    }
}

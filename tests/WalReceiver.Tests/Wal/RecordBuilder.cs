using System.Buffers.Binary;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

/// <summary>
/// Builds one whole WAL record as the server's XLogInsert lays it out: the 24-byte header (with a right CRC), the
/// fragment headers in the order added, the main data header, then block images and data, then the main data.
/// </summary>
internal sealed class RecordBuilder(byte rmid, byte info, uint xid = 0)
{
    private readonly List<byte> _headers = [];
    private readonly List<byte> _payload = [];

    /// <summary>Force <c>XLR_BLOCK_ID_DATA_LONG</c> even for main data under 256 bytes (the server never does; readers must not care).</summary>
    public bool LongMainDataHeader { get; init; }

    /// <summary>A block reference; <paramref name="flags"/> are fork_flags' high bits (HAS_DATA is set from <paramref name="data"/>).</summary>
    public RecordBuilder Block(byte id, byte[]? data = null, byte flags = 0, BlockImage? image = null, byte fork = 0)
    {
        data ??= [];
        var forkFlags = (byte)(fork | flags | (data.Length > 0 ? 0x20 : 0) | (image is null ? 0 : 0x10));
        _headers.Add(id);
        _headers.Add(forkFlags);
        AddUInt16(_headers, (ushort)data.Length);
        if (image is { } i)
        {
            AddUInt16(_headers, (ushort)i.Bytes.Length);
            AddUInt16(_headers, i.HoleOffset);
            _headers.Add(i.Info);
            if (i.HoleLength is { } hole)
                AddUInt16(_headers, hole);
            _payload.AddRange(i.Bytes);
        }

        if ((flags & 0x80) == 0)
        {
            AddUInt32(_headers, 1663); // tablespace
            AddUInt32(_headers, 5); // database
            AddUInt32(_headers, 16384); // relation
        }

        AddUInt32(_headers, 42); // block number
        _payload.AddRange(data);
        return this;
    }

    /// <summary>An <c>XLR_BLOCK_ID_ORIGIN</c> header.</summary>
    public RecordBuilder Origin(ushort origin)
    {
        _headers.Add(WalRecordLayout.OriginId);
        AddUInt16(_headers, origin);
        return this;
    }

    /// <summary>An <c>XLR_BLOCK_ID_TOPLEVEL_XID</c> header.</summary>
    public RecordBuilder TopLevelXid(uint xid)
    {
        _headers.Add(WalRecordLayout.TopLevelXidId);
        AddUInt32(_headers, xid);
        return this;
    }

    /// <summary>Any bytes as headers, for malformed records.</summary>
    public RecordBuilder RawHeader(params byte[] bytes)
    {
        _headers.AddRange(bytes);
        return this;
    }

    /// <summary>The record with <paramref name="mainData"/> (none when empty).</summary>
    public byte[] Build(byte[]? mainData = null)
    {
        mainData ??= [];
        var headers = new List<byte>(_headers);
        if (mainData.Length > 0 || LongMainDataHeader)
        {
            if (mainData.Length < 256 && !LongMainDataHeader)
            {
                headers.Add(WalRecordLayout.DataShortId);
                headers.Add((byte)mainData.Length);
            }
            else
            {
                headers.Add(WalRecordLayout.DataLongId);
                AddUInt32(headers, (uint)mainData.Length);
            }
        }

        var record = new byte[WalStreamVerifier.RecordHeaderSize + headers.Count + _payload.Count + mainData.Length];
        headers.CopyTo(record, WalStreamVerifier.RecordHeaderSize);
        _payload.CopyTo(record, WalStreamVerifier.RecordHeaderSize + headers.Count);
        mainData.CopyTo(record, record.Length - mainData.Length);
        return Finish(record, rmid, info, xid);
    }

    /// <summary>Writes the header fields of <paramref name="record"/> (its length is xl_tot_len) and its CRC.</summary>
    public static byte[] Finish(byte[] record, byte rmid, byte info, uint xid, ulong previous = 0)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)record.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), xid);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(8), previous);
        record[16] = info;
        record[17] = rmid;
        var crc = Crc32C.Append(Crc32C.Initial, record.AsSpan(WalStreamVerifier.RecordHeaderSize));
        crc = Crc32C.Finish(Crc32C.Append(crc, record.AsSpan(0, WalStreamVerifier.CrcOffset)));
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(WalStreamVerifier.CrcOffset), crc);
        return record;
    }

    private static void AddUInt16(List<byte> to, ushort value)
    {
        to.Add((byte)value);
        to.Add((byte)(value >> 8));
    }

    private static void AddUInt32(List<byte> to, uint value)
    {
        for (var i = 0; i < 4; i++)
            to.Add((byte)(value >> (8 * i)));
    }
}

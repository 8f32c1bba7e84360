using System.Buffers.Binary;

namespace WalReceiver.Wal;

/// <summary>
/// The header at the start of every WAL page (<c>XLogPageHeaderData</c>, 24 bytes) and, on the first page of a segment,
/// its long form (<c>XLogLongPageHeaderData</c>, 40 bytes). Fields are in the server's byte order, little-endian on
/// every platform this archiver supports.
/// </summary>
internal readonly record struct WalPageHeader(
    ushort Magic, ushort Info, uint Timeline, Lsn PageAddress, uint RemainingLength, ulong SystemId, uint SegmentSize, uint BlockSize)
{
    /// <summary>The WAL page size, <c>XLOG_BLCKSZ</c> (a compile-time constant of the server; 8192 unless rebuilt).</summary>
    public const int PageSize = 8192;

    /// <summary><c>SizeOfXLogShortPHD</c>: 20 bytes of fields, MAXALIGNed.</summary>
    public const int ShortSize = 24;

    /// <summary><c>SizeOfXLogLongPHD</c>: the short header plus system identifier, segment size and page size.</summary>
    public const int LongSize = 40;

    /// <summary><c>XLP_FIRST_IS_CONTRECORD</c>: the page starts with the rest of a record begun on an earlier page.</summary>
    public const ushort FirstIsContRecord = 0x0001;

    /// <summary><c>XLP_LONG_HEADER</c>: this is the long form.</summary>
    public const ushort LongHeader = 0x0002;

    /// <summary><c>XLP_BKP_REMOVABLE</c>: full-page images on this page may be dropped by an archiver (informational).</summary>
    public const ushort BackupRemovable = 0x0004;

    /// <summary><c>XLP_FIRST_IS_OVERWRITE_CONTRECORD</c>: the record that should continue here was abandoned.</summary>
    public const ushort FirstIsOverwriteContRecord = 0x0008;

    /// <summary><c>XLP_ALL_FLAGS</c>: every bit a valid <c>xlp_info</c> may have.</summary>
    public const ushort AllFlags = 0x000F;

    /// <summary>Reads a header from <paramref name="bytes"/>: 24 bytes, or 40 for the long form.</summary>
    public static WalPageHeader Read(ReadOnlySpan<byte> bytes)
    {
        var info = BinaryPrimitives.ReadUInt16LittleEndian(bytes[2..]);
        var isLong = bytes.Length >= LongSize;
        return new WalPageHeader(
            BinaryPrimitives.ReadUInt16LittleEndian(bytes),
            info,
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]),
            new Lsn(BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..])),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[16..]),
            isLong ? BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]) : 0,
            isLong ? BinaryPrimitives.ReadUInt32LittleEndian(bytes[32..]) : 0,
            isLong ? BinaryPrimitives.ReadUInt32LittleEndian(bytes[36..]) : 0);
    }

    /// <summary>
    /// Reads the long header from a segment's first bytes; false when there are fewer than <see cref="LongSize"/> bytes or
    /// the page does not say it has a long header (a file that is not the start of a segment, or a page never written).
    /// </summary>
    public static bool TryReadLong(ReadOnlySpan<byte> bytes, out WalPageHeader header)
    {
        header = bytes.Length >= LongSize ? Read(bytes[..LongSize]) : default;
        return (header.Info & LongHeader) != 0;
    }

    /// <summary>Whether every field is zero: a page never written (the pre-padded tail of a <c>.partial</c>).</summary>
    public bool IsZero => Magic == 0 && Info == 0 && Timeline == 0 && !PageAddress.IsValid && RemainingLength == 0;
}

using System.Buffers.Binary;

namespace WalReceiver.Wal;

/// <summary>
/// The long page header at the start of every WAL segment (PostgreSQL's <c>XLogLongPageHeaderData</c>, little endian on
/// the platforms PostgreSQL runs on): it says which WAL position the segment holds and how large segments are, so a
/// file can be checked against its name and its size without asking the server.
/// </summary>
/// <param name="Info">xlp_info: flag bits.</param>
/// <param name="Timeline">xlp_tli: the timeline the page was written on (a new timeline's first segment starts with the old one's pages).</param>
/// <param name="PageAddress">xlp_pageaddr: the WAL position of the page, the segment's start for the first page.</param>
/// <param name="SystemIdentifier">xlp_sysid: the cluster's system identifier.</param>
/// <param name="SegmentSize">xlp_seg_size: the segment size in bytes.</param>
public readonly record struct WalLongPageHeader(ushort Info, uint Timeline, Lsn PageAddress, ulong SystemIdentifier, uint SegmentSize)
{
    /// <summary>The bytes read here: the short header (24, aligned), xlp_sysid, xlp_seg_size and xlp_xlog_blcksz.</summary>
    public const int Size = 40;

    /// <summary>XLP_LONG_HEADER: set on the first page of a segment, whose header is the long one.</summary>
    public const ushort LongHeaderFlag = 0x0002;

    /// <summary>
    /// Reads the header from a segment's first bytes; false when there are fewer than <see cref="Size"/> bytes or the
    /// page does not say it has a long header (a file that is not the start of a segment).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out WalLongPageHeader header)
    {
        header = default;
        if (bytes.Length < Size)
            return false;
        var info = BinaryPrimitives.ReadUInt16LittleEndian(bytes[2..]);
        if ((info & LongHeaderFlag) == 0)
            return false;
        header = new WalLongPageHeader(info, BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]),
            new Lsn(BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..])), BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[32..]));
        return true;
    }
}

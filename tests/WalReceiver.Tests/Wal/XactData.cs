using System.Buffers.Binary;
using System.Text;

namespace WalReceiver.Tests.Wal;

/// <summary>
/// Builds the main data of a commit or abort record (<c>xl_xact_commit</c> / <c>xl_xact_abort</c>): xact_time, then, if
/// any part is added, xl_xact_xinfo and the parts in the order they are added (callers add them in the server's order).
/// </summary>
internal sealed class XactData(long xactTime)
{
    private readonly List<byte> _parts = [];
    private uint _xinfo;
    private bool _hasInfo;

    public XactData DbInfo() => Part(1u << 0, new byte[8]);

    public XactData Subxacts(params uint[] xids) => Part(1u << 1, Counted(xids.Length, xids.SelectMany(BitConverter.GetBytes).ToArray()));

    public XactData RelFileNodes(int count) => Part(1u << 2, Counted(count, Filler(count * 12)));

    public XactData Invals(int count) => Part(1u << 3, Counted(count, Filler(count * 16)));

    public XactData DroppedStats(int count, int itemSize = 12) => Part(1u << 8, Counted(count, Filler(count * itemSize)));

    public XactData TwoPhase(uint xid, string? gid = null)
    {
        Part(1u << 4, BitConverter.GetBytes(xid));
        return gid is null ? this : Part(1u << 7, [.. Encoding.UTF8.GetBytes(gid), 0]);
    }

    public XactData Origin() => Part(1u << 5, Filler(16));

    /// <summary>xinfo bits with no part of their own (the completion flags, in the high bits).</summary>
    public XactData Flags(uint bits) => Part(bits, []);

    /// <summary>xl_info for operation <paramref name="operation"/>: XLOG_XACT_HAS_INFO when xinfo was written.</summary>
    public byte Info(byte operation) => (byte)(operation | (_hasInfo ? 0x80 : 0));

    public byte[] Build()
    {
        var data = new List<byte>(BitConverter.GetBytes(xactTime));
        if (_hasInfo)
            data.AddRange(BitConverter.GetBytes(_xinfo));
        data.AddRange(_parts);
        return [.. data];
    }

    /// <summary>Any bytes as the next part, with xinfo bit(s) <paramref name="bits"/>.</summary>
    public XactData Part(uint bits, byte[] bytes)
    {
        _xinfo |= bits;
        _hasInfo = true;
        _parts.AddRange(bytes);
        return this;
    }

    private static byte[] Counted(int count, byte[] items)
    {
        var bytes = new byte[4 + items.Length];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, count);
        items.CopyTo(bytes, 4);
        return bytes;
    }

    // Bytes that are not zero, so a wrong offset reads something visibly wrong.
    private static byte[] Filler(int length) => Enumerable.Range(0, length).Select(i => (byte)(0xA0 + (i % 16))).ToArray();
}

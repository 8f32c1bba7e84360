using System.Buffers.Binary;
using System.Text;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

public sealed class Crc32CTests
{
    [Fact]
    public void Check_value_of_123456789_is_E3069283() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Pieces_give_the_same_value_as_the_whole()
    {
        var data = new byte[1000];
        new Random(3).NextBytes(data);
        for (var cut = 0; cut <= data.Length; cut += 37)
            Assert.Equal(Crc32C.Compute(data), Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Initial, data.AsSpan(0, cut)), data.AsSpan(cut))));
    }

    [Fact]
    public void Xlog_nextoid_record_from_a_PostgreSQL_15_cluster_has_the_CRC_in_its_header()
    {
        var record = NextOidRecord();
        var crc = Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Initial, record.AsSpan(24)), record.AsSpan(0, 20)));
        Assert.Equal(0x457817E0u, crc);
        Assert.Equal(crc, BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(20)));
    }

    /// <summary>The 30-byte XLOG_NEXTOID record at 0/10000A0 of a PostgreSQL 15 cluster (the reference's lab capture).</summary>
    internal static byte[] NextOidRecord() => Convert.FromHexString("1e000000" + "01000000" + "2800000100000000" + "30" + "00" + "0000" + "e0177845" + "ff04" + "10470000");
}

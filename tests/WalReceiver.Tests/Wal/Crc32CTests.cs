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
    public void Interleaved_lanes_give_the_serial_value_for_every_length_and_alignment()
    {
        Assert.True(Crc32C.CanInterleave || !System.Runtime.Intrinsics.X86.Sse42.X64.IsSupported, "an x64 with SSE4.2 has PCLMULQDQ too");
        var data = new byte[8500];
        new Random(5).NextBytes(data);
        // Every length around the threshold and one lane word, then lengths up to and past several blocks of the longest lane.
        var lengths = Enumerable.Range(0, 700).Concat(Enumerable.Range(0, 60).Select(i => 700 + (i * 127))).Append(8192);
        foreach (var length in lengths)
        {
            for (var offset = 0; offset < 8; offset += length < 700 ? 3 : 1)
            {
                var span = data.AsSpan(offset, length);
                var seed = (uint)(length * 2654435761u);
                Assert.True(Crc32C.AppendSerial(seed, span) == Crc32C.Append(seed, span), $"length {length} at offset {offset}");
            }
        }
    }

    [Fact]
    public void Serial_value_matches_the_bitwise_definition()
    {
        var data = new byte[300];
        new Random(7).NextBytes(data);
        for (var length = 0; length <= data.Length; length++)
            Assert.Equal(Bitwise(data.AsSpan(0, length)), Crc32C.AppendSerial(Crc32C.Initial, data.AsSpan(0, length)));
    }

    [Fact]
    public void Xlog_nextoid_record_from_a_PostgreSQL_15_cluster_has_the_CRC_in_its_header()
    {
        var record = NextOidRecord();
        var crc = Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Initial, record.AsSpan(24)), record.AsSpan(0, 20)));
        Assert.Equal(0x457817E0u, crc);
        Assert.Equal(crc, BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(20)));
    }

    // The definition, a bit at a time, as the reference for the instruction-based paths.
    private static uint Bitwise(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C.Initial;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }

        return crc;
    }

    /// <summary>The 30-byte XLOG_NEXTOID record at 0/10000A0 of a PostgreSQL 15 cluster (the reference's lab capture).</summary>
    internal static byte[] NextOidRecord() => Convert.FromHexString("1e000000" + "01000000" + "2800000100000000" + "30" + "00" + "0000" + "e0177845" + "ff04" + "10470000");
}

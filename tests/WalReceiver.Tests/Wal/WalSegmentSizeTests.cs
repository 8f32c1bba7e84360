using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

public sealed class WalSegmentSizeTests
{
    [Theory]
    [InlineData("16MB", 16 << 20)]
    [InlineData("1MB", 1 << 20)]
    [InlineData("1GB", 1 << 30)]
    [InlineData("1024kB", 1 << 20)]
    [InlineData("67108864", 64 << 20)]
    public void Parses_show_output(string text, int bytes) => Assert.Equal(bytes, WalSegmentSize.Parse(text).Bytes);

    [Theory]
    [InlineData("3MB")]
    [InlineData("512kB")]
    [InlineData("2GB")]
    [InlineData("MB")]
    [InlineData("16 XB")]
    public void Rejects_sizes_postgres_does_not_allow(string text)
    {
        var e = Assert.Throws<FormatException>(() => WalSegmentSize.Parse(text));
        Assert.Contains("power of two between 1 MB and 1 GB", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classic_example_is_in_segment_DF_at_offset_75D0E0()
    {
        var lsn = Lsn.Parse("4/DF75D0E0");
        var size = WalSegmentSize.Default;
        Assert.Equal("0000000100000004000000DF", WalFileName.Format(1, lsn, size));
        Assert.Equal(0x75D0E0, size.OffsetIn(lsn));
        Assert.Equal(Lsn.Parse("4/DF000000"), size.StartOf(lsn));
        Assert.Equal(4UL * 256 + 0xDF, size.SegmentOf(lsn));
    }

    [Theory]
    [InlineData(1 << 20)]
    [InlineData(16 << 20)]
    [InlineData(64 << 20)]
    [InlineData(1 << 30)]
    public void Segment_arithmetic_is_consistent_for_every_size(int bytes)
    {
        var size = new WalSegmentSize(bytes);
        foreach (var value in new ulong[] { 0, 1, (ulong)bytes - 1, (ulong)bytes, 0x4_DF75D0E0, 0xFFFF_FFFF_0000_0000 })
        {
            var lsn = new Lsn(value);
            var segment = size.SegmentOf(lsn);
            Assert.Equal(size.StartOfSegment(segment), size.StartOf(lsn));
            Assert.Equal(value, size.StartOf(lsn).Value + (ulong)size.OffsetIn(lsn));
            Assert.True(size.IsSegmentStart(size.StartOf(lsn)));
            Assert.True(WalFileName.TryParse(WalFileName.Format(7, segment, size), size, out var tli, out var parsed));
            Assert.Equal((7u, segment), (tli, parsed));
        }
    }

    [Fact]
    public void Constructor_rejects_non_power_of_two() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WalSegmentSize(3 << 20));
}

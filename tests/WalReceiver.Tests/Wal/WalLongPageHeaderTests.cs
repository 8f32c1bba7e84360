using WalReceiver.Tests.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

public sealed class WalLongPageHeaderTests
{
    [Fact]
    public void Reads_the_position_and_the_segment_size_of_a_segment_start()
    {
        var bytes = TestSegments.Segment("000000030000000100000002", WalLongPageHeader.Size);
        Assert.True(WalLongPageHeader.TryRead(bytes, out var header));
        Assert.Equal(3u, header.Timeline);
        Assert.Equal(Lsn.Parse("1/200000"), header.PageAddress);
        Assert.Equal((uint)TestSegments.Size.Bytes, header.SegmentSize);
        Assert.Equal(7_000_000_000_000_000_001UL, header.SystemIdentifier);
    }

    [Fact]
    public void A_short_header_or_one_without_the_long_flag_is_not_read()
    {
        var bytes = TestSegments.Segment("000000010000000000000001", WalLongPageHeader.Size);
        Assert.False(WalLongPageHeader.TryRead(bytes.AsSpan(0, WalLongPageHeader.Size - 1), out _));
        bytes[2] = 0;
        Assert.False(WalLongPageHeader.TryRead(bytes, out _));
    }
}

using WalReceiver.Tests.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

public sealed class WalPageHeaderTests
{
    [Fact]
    public void Reads_the_position_and_the_segment_size_of_a_segment_start()
    {
        var bytes = TestSegments.Segment("000000030000000100000002", WalPageHeader.LongSize);
        Assert.True(WalPageHeader.TryReadLong(bytes, out var header));
        Assert.Equal(3u, header.Timeline);
        Assert.Equal(Lsn.Parse("1/200000"), header.PageAddress);
        Assert.Equal((uint)TestSegments.Size.Bytes, header.SegmentSize);
        Assert.Equal(7_000_000_000_000_000_001UL, header.SystemId);
        Assert.Equal((uint)WalPageHeader.PageSize, header.BlockSize);
    }

    [Fact]
    public void A_short_header_or_one_without_the_long_flag_is_not_read_as_long()
    {
        var bytes = TestSegments.Segment("000000010000000000000001", WalPageHeader.LongSize);
        Assert.False(WalPageHeader.TryReadLong(bytes.AsSpan(0, WalPageHeader.LongSize - 1), out _));
        bytes[2] = 0;
        Assert.False(WalPageHeader.TryReadLong(bytes, out _));
    }

    [Fact]
    public void A_short_header_has_no_long_fields()
    {
        var bytes = TestSegments.Segment("000000010000000000000001", WalPageHeader.LongSize);
        var header = WalPageHeader.Read(bytes.AsSpan(0, WalPageHeader.ShortSize));
        Assert.Equal(0UL, header.SystemId);
        Assert.Equal(0u, header.SegmentSize);
        Assert.Equal(Lsn.Parse("0/100000"), header.PageAddress);
    }
}

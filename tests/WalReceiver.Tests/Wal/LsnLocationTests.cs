using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

public sealed class LsnLocationTests
{
    [Fact]
    public void An_lsn_inside_a_segment_is_in_that_file_at_its_offset()
    {
        var at = new LsnLocation(Lsn.Parse("4/DF75D0E0"), 1, WalSegmentSize.Default);
        Assert.Equal("0000000100000004000000DF", at.FileName);
        Assert.Equal(0x75D0E0, at.Offset);
        Assert.Equal(Lsn.Parse("4/DF000000"), at.First);
        Assert.Equal(Lsn.Parse("4/DFFFFFFF"), at.Last);
        Assert.False(at.IsSegmentStart);
        Assert.Equal(at.FileName, at.EndingFileName);
    }

    [Fact]
    public void At_a_boundary_postgresql_names_the_file_that_ends_there()
    {
        var at = new LsnLocation(Lsn.Parse("4/E0000000"), 3, WalSegmentSize.Default);
        Assert.Equal("0000000300000004000000E0", at.FileName);
        Assert.Equal(0, at.Offset);
        Assert.True(at.IsSegmentStart);
        Assert.Equal("0000000300000004000000DF", at.EndingFileName);
    }

    [Fact]
    public void Segment_numbers_carry_into_the_next_xlogid_by_segment_size()
    {
        var oneMb = new WalSegmentSize(1 << 20);
        Assert.Equal("000000010000000100000000", new LsnLocation(Lsn.Parse("1/0"), 1, oneMb).FileName);
        Assert.Equal("0000000100000000000000FF", new LsnLocation(Lsn.Parse("0/FFFFFFF"), 1, oneMb).FileName);
        Assert.Equal("000000010000000000000FFF", new LsnLocation(Lsn.Parse("0/FFFFFFFF"), 1, oneMb).FileName);
    }

    [Fact]
    public void The_last_segment_of_the_lsn_space_ends_at_the_last_lsn()
    {
        var at = new LsnLocation(new Lsn(ulong.MaxValue), 1, WalSegmentSize.Default);
        Assert.Equal(new Lsn(ulong.MaxValue), at.Last);
        Assert.Equal("00000001FFFFFFFF000000FF", at.FileName);
    }
}

using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

public sealed class WalFileRangeTests
{
    [Theory]
    [InlineData("0000000100000004000000DF", 16, "4/DF000000", "4/DFFFFFFF")]
    [InlineData("0000000100000004000000DF.partial", 16, "4/DF000000", "4/DFFFFFFF")]
    [InlineData("000000020000000000000FFF", 1, "0/FFF00000", "0/FFFFFFFF")]
    [InlineData("00000001FFFFFFFF000000FF", 16, "FFFFFFFF/FF000000", "FFFFFFFF/FFFFFFFF")]
    public void A_file_name_covers_one_segment(string name, int sizeMb, string first, string last)
    {
        Assert.True(WalFileRange.TryParse(name, new WalSegmentSize(sizeMb << 20), out var range, out var error), error);
        Assert.Equal(Lsn.Parse(first), range.First);
        Assert.Equal(Lsn.Parse(last), range.Last);
        Assert.Equal(name[..24], range.FileName);
    }

    [Theory]
    [InlineData("0000000100000004000000df", "neither an LSN")]
    [InlineData("00000001000000040000", "neither an LSN")]
    [InlineData("0000000100000004000000DF.gz", "neither an LSN")]
    [InlineData("000000010000000000000100", "must be below 00000100")]
    [InlineData("000000000000000000000001", "timelines start at 1")]
    public void Anything_else_is_refused_with_the_reason(string name, string reason)
    {
        Assert.False(WalFileRange.TryParse(name, WalSegmentSize.Default, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}

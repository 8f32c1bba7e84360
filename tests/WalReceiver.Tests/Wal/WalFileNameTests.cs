using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

public sealed class WalFileNameTests
{
    private static readonly WalSegmentSize OneMb = new(1 << 20);

    [Fact]
    public void One_mb_segments_use_4096_per_xlogid()
    {
        Assert.Equal("000000010000000000000FFF", WalFileName.Format(1, 0xFFFUL, OneMb));
        Assert.Equal("000000010000000100000000", WalFileName.Format(1, 0x1000UL, OneMb));
        Assert.Equal("000000020000000100000000", WalFileName.Format(2, Lsn.Parse("1/0"), OneMb));
    }

    [Fact]
    public void One_gb_segments_use_4_per_xlogid() =>
        Assert.Equal("000000010000000500000003", WalFileName.Format(1, Lsn.Parse("5/C0000000"), new WalSegmentSize(1 << 30)));

    [Theory]
    [InlineData("000000010000000000000001", true)]
    [InlineData("0000000100000000000000FF", true)]
    [InlineData("0000000100000000000000ff", false)] // PostgreSQL never writes lower case
    [InlineData("00000001000000000000001", false)]
    [InlineData("000000000000000000000001", false)] // timeline 0 does not exist
    [InlineData("000000010000000000000100", false)] // low part out of range for 16 MB segments
    [InlineData("00000001.history", false)]
    public void Parses_only_names_postgres_writes(string name, bool valid) =>
        Assert.Equal(valid, WalFileName.TryParse(name, WalSegmentSize.Default, out _, out _));

    [Fact]
    public void History_file_names_round_trip()
    {
        Assert.Equal("0000000A.history", TimelineId.HistoryFileName(10));
        Assert.True(TimelineId.TryParseHistoryFileName("0000000A.history", out var tli));
        Assert.Equal(10u, tli);
        Assert.False(TimelineId.TryParseHistoryFileName("0000000a.history", out _));
        Assert.False(TimelineId.TryParseHistoryFileName("00000000.history", out _));
    }
}

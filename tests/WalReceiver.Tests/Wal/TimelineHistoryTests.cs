using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

public sealed class TimelineHistoryTests
{
    // As PostgreSQL 15 wrote it for a second promotion (pg_receivewal.md, LAB).
    private const string Three = "1\t0/9310B90\tno recovery target specified\n\n2\t0/D000000\tno recovery target specified\n";

    [Fact]
    public void Parses_the_file_postgres_writes()
    {
        var h = TimelineHistory.Parse(3, Three);
        Assert.Equal([new TimelineHistoryEntry(1, Lsn.Parse("0/9310B90")), new TimelineHistoryEntry(2, Lsn.Parse("0/D000000"))], h.Entries);
        Assert.Equal(Lsn.Parse("0/9310B90"), h.SwitchPointOf(1));
        Assert.Null(h.SwitchPointOf(3));
        Assert.Equal(2u, h.NextAfter(1));
        Assert.Equal(3u, h.NextAfter(2));
        Assert.True(h.Contains(2));
        Assert.False(h.Contains(4));
        Assert.Equal(1u, h.TimelineOf(Lsn.Parse("0/9310B8F")));
        Assert.Equal(2u, h.TimelineOf(Lsn.Parse("0/9310B90")));
        Assert.Equal(3u, h.TimelineOf(Lsn.Parse("0/D000000")));
    }

    [Fact]
    public void Skips_comments_and_blank_lines() =>
        Assert.Single(TimelineHistory.Parse(2, "# made by hand\n\n1\t0/3000000\tbecause\n").Entries);

    [Theory]
    [InlineData("x\t0/1\n")]
    [InlineData("1\tnot-an-lsn\n")]
    [InlineData("2\t0/1\n")] // a parent must be older than the timeline
    [InlineData("1\t0/5\n1\t0/6\n")] // parents must increase
    public void Rejects_damaged_files(string content) => Assert.Throws<FormatException>(() => TimelineHistory.Parse(2, content));
}

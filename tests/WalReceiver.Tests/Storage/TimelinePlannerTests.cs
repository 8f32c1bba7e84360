using WalReceiver.Diagnostics;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Storage;

public sealed class TimelinePlannerTests
{
    private static readonly WalSegmentSize Size = WalSegmentSize.Default;
    private static readonly TimelineHistory Three = TimelineHistory.Parse(3, "1\t0/9310B90\tx\n2\t0/D000000\tx\n");

    private static StartPosition At(string lsn, uint tli) => new(Lsn.Parse(lsn), tli, StartSource.CompleteSegment);

    [Fact]
    public void Old_timeline_before_its_switch_segment_is_streamed_as_it_is() =>
        Assert.Equal(1u, TimelinePlanner.Resolve(At("0/8000000", 1), null, Three, Size).Timeline);

    [Fact]
    public void Segment_holding_the_switch_point_is_taken_from_the_next_timeline()
    {
        var partial = new ArchivedSegment("000000010000000000000009.partial", 1, 9, true, 100);
        var p = TimelinePlanner.Resolve(new StartPosition(Lsn.Parse("0/9000000"), 1, StartSource.PartialSegment), partial, Three, Size);
        Assert.Equal((Lsn.Parse("0/9000000"), 2u), (p.Lsn, p.Timeline));
    }

    [Fact]
    public void Switch_point_on_a_segment_boundary_never_becomes_a_start_on_the_old_timeline()
    {
        var complete = new ArchivedSegment("00000002000000000000000C", 2, 0xC, false, Size.Bytes);
        var p = TimelinePlanner.Resolve(At("0/D000000", 2), complete, Three, Size);
        Assert.Equal((Lsn.Parse("0/D000000"), 3u), (p.Lsn, p.Timeline));
    }

    [Fact]
    public void Several_switches_behind_are_crossed_at_once() =>
        Assert.Equal(3u, TimelinePlanner.Resolve(At("0/E000000", 1), null, Three, Size).Timeline);

    [Fact]
    public void Archive_past_the_fork_point_is_refused_as_diverged()
    {
        var complete = new ArchivedSegment("000000010000000000000009", 1, 9, false, Size.Bytes); // ends at 0/A000000 > 0/9310B90
        var e = Assert.Throws<WalReceiverException>(() => TimelinePlanner.Resolve(At("0/A000000", 1), complete, Three, Size));
        Assert.Equal(FailureKind.ArchiveDamage, e.Kind);
        Assert.Contains("diverged", e.Message, StringComparison.Ordinal);
        Assert.Contains("0/9310B90", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Timeline_missing_from_the_server_history_is_refused()
    {
        var e = Assert.Throws<WalReceiverException>(() => TimelinePlanner.Resolve(At("0/1000000", 4), null, Three, Size));
        Assert.Equal(FailureKind.ArchiveDamage, e.Kind);
        var other = TimelineHistory.Parse(5, "1\t0/100\tx\n4\t0/200\tx\n");
        Assert.Throws<WalReceiverException>(() => TimelinePlanner.Resolve(At("0/1000000", 2), null, other, Size));
    }

    [Fact]
    public void Refusal_names_both_histories()
    {
        var ours = TimelineHistory.Parse(2, "1\t0/8000000\tx\n");
        var server = TimelineHistory.Parse(3, "1\t0/8000000\tx\n2\t0/9000000\tx\n");
        var complete = new ArchivedSegment("000000020000000000000009", 2, 9, false, Size.Bytes);
        var e = Assert.Throws<WalReceiverException>(() => TimelinePlanner.Resolve(At("0/A000000", 2), complete, server, Size, ours));
        Assert.Contains("server history: 1 until 0/8000000, 2 until 0/9000000, then 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("archive history: 1 until 0/8000000, then 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Live_timeline_is_left_alone() =>
        Assert.Equal(At("0/F000000", 3), TimelinePlanner.Resolve(At("0/F000000", 3), null, Three, Size));
}

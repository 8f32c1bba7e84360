using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Storage;

public sealed class StartPlannerTests
{
    private static readonly WalSegmentSize Size = WalSegmentSize.Default;
    private static readonly Lsn ServerPos = Lsn.Parse("0/9310B90");

    [Fact]
    public void After_a_complete_segment_starts_at_the_next_one()
    {
        var p = StartPlanner.Plan(new ArchivedSegment("x", 1, 5, false, Size.Bytes), null, ServerPos, 1, Size);
        Assert.Equal(new StartPosition(Lsn.Parse("0/6000000"), 1, StartSource.CompleteSegment), p);
    }

    [Fact]
    public void A_partial_segment_is_restreamed_from_its_start()
    {
        var p = StartPlanner.Plan(new ArchivedSegment("x", 2, 5, true, 100), (Lsn.Parse("0/1000000"), 1), ServerPos, 2, Size);
        Assert.Equal(new StartPosition(Lsn.Parse("0/5000000"), 2, StartSource.PartialSegment), p);
    }

    [Fact]
    public void Empty_archive_uses_the_slot_restart_lsn_rounded_down()
    {
        var p = StartPlanner.Plan(null, (Lsn.Parse("0/3A1B2C8"), 1), ServerPos, 1, Size);
        Assert.Equal(new StartPosition(Lsn.Parse("0/3000000"), 1, StartSource.SlotRestartLsn), p);
    }

    [Fact]
    public void Empty_archive_without_slot_uses_the_server_position()
    {
        var p = StartPlanner.Plan(null, null, ServerPos, 3, Size);
        Assert.Equal(new StartPosition(Lsn.Parse("0/9000000"), 3, StartSource.ServerPosition), p);
    }

    [Fact]
    public void Slot_that_never_reserved_wal_falls_through_to_the_server_position()
    {
        var p = StartPlanner.Plan(null, (Lsn.Invalid, 0), ServerPos, 1, Size);
        Assert.Equal(StartSource.ServerPosition, p.Source);
    }
}

using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Storage;

public sealed class RecoveryTargetIndexTests
{
    private static readonly WalSegmentSize Size = new(1 << 20);
    private static readonly Lsn Segment = Lsn.Parse("0/3000000");
    private static readonly DateTimeOffset Time = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static RecoveryTargetEvent Commit(string start, string end, uint xid = 5) =>
        new(RecoveryTargetKind.Commit, Lsn.Parse(start), Lsn.Parse(end), Time, xid, null);

    [Fact]
    public void Events_of_the_segment_in_wal_order_are_taken()
    {
        var index = new RecoveryTargetIndex(1, Segment, Size, [Commit("0/2FFFFF0", "0/3000030"), Commit("0/3000030", "0/3000058"), Commit("0/30FFFD8", "0/3100000")]);
        Assert.Equal(3, index.Events.Count);
        Assert.Equal("000000010000000000000030", index.SegmentFileName);
    }

    // Internal types cannot be theory arguments of a public test: cases are passed by their index here.
    private static readonly (string Expected, RecoveryTargetEvent[] Events)[] WrongCases =
    [
        ("not in the segment", [Commit("0/2FFFF00", "0/3000000")]), // its last byte is in the segment before
        ("not in the segment", [Commit("0/30FFFD8", "0/3100001")]),
        ("not after the event before it", [Commit("0/3000100", "0/3000130"), Commit("0/3000100", "0/3000130")]),
        ("cannot be", [Commit("0/3000100", "0/3000110")]),
        ("cannot be", [Commit("0/3000100", "0/3000100")]),
        ("a restore point has a name and xid 0", [new(RecoveryTargetKind.RestorePoint, Lsn.Parse("0/3000100"), Lsn.Parse("0/3000162"), Time, 0, null)]),
        ("a restore point has a name and xid 0", [new(RecoveryTargetKind.RestorePoint, Lsn.Parse("0/3000100"), Lsn.Parse("0/3000162"), Time, 9, "x")]),
        ("only a restore point has a name", [new(RecoveryTargetKind.Abort, Lsn.Parse("0/3000100"), Lsn.Parse("0/3000130"), Time, 9, "x")]),
        ("unknown kind", [new((RecoveryTargetKind)7, Lsn.Parse("0/3000100"), Lsn.Parse("0/3000130"), Time, 9, null)]),
        ("whole number of microseconds", [new(RecoveryTargetKind.Commit, Lsn.Parse("0/3000100"), Lsn.Parse("0/3000130"), Time.AddTicks(1), 9, null)]),
        ("more than 255 bytes", [new(RecoveryTargetKind.RestorePoint, Lsn.Parse("0/3000100"), Lsn.Parse("0/3000162"), Time, 0, new string('é', 128))]),
    ];

    public static TheoryData<int> Wrong() => [.. Enumerable.Range(0, WrongCases.Length)];

    [Theory]
    [MemberData(nameof(Wrong))]
    public void Events_that_cannot_be_in_the_index_are_refused(int @case)
    {
        var (expected, events) = WrongCases[@case];
        var e = Assert.Throws<ArgumentException>(() => new RecoveryTargetIndex(1, Segment, Size, events));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_segment_must_be_a_segment_of_a_timeline()
    {
        Assert.Throws<ArgumentException>(() => new RecoveryTargetIndex(1, Segment + 8192, Size, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecoveryTargetIndex(0, Segment, Size, []));
    }
}

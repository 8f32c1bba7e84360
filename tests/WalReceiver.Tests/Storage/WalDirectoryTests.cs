using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Storage;

public sealed class WalDirectoryTests
{
    private static readonly WalSegmentSize OneMb = new(1 << 20);

    private static void Touch(TempDirectory dir, string name, int length) => File.WriteAllBytes(dir.File(name), new byte[length]);

    [Fact]
    public void Scan_ignores_everything_that_is_not_a_segment_name()
    {
        using var dir = new TempDirectory();
        Touch(dir, "000000010000000000000001", OneMb.Bytes);
        Touch(dir, "000000010000000000000002.partial", 10);
        Touch(dir, "000000010000000000000004.gz", 1);
        Touch(dir, "000000010000000000000005.zst.partial", 1);
        foreach (var other in new[] { "00000002.history", "000000010000000000000003.tmp", "0000000100000000000000ab", "notes.txt",
                     "000000010000000000000004.bz2", "000000010000000000000004.partial.gz", "walreceiver.sha256" })
            Touch(dir, other, 1);
        var found = WalDirectory.Scan(dir.Path, OneMb).OrderBy(s => s.FileName, StringComparer.Ordinal).ToList();
        Assert.Equal(["000000010000000000000001", "000000010000000000000002.partial", "000000010000000000000004.gz", "000000010000000000000005.zst.partial"],
            found.Select(s => s.FileName));
        Assert.Equal([CompressionAlgorithm.None, CompressionAlgorithm.None, CompressionAlgorithm.Gzip, CompressionAlgorithm.Zstd], found.Select(s => s.Compression));
    }

    [Fact]
    public void Newest_is_highest_segment_then_highest_timeline_then_complete_before_partial()
    {
        var s = new[]
        {
            new ArchivedSegment("a", 1, 9, false, OneMb.Bytes),
            new ArchivedSegment("b", 1, 10, true, 5),
            new ArchivedSegment("c", 2, 10, true, 5),
            new ArchivedSegment("d", 1, 8, false, OneMb.Bytes),
        };
        Assert.Equal("c", WalDirectory.FindNewest(s, OneMb)!.FileName);
        var withComplete = s.Append(new ArchivedSegment("e", 2, 10, false, OneMb.Bytes));
        Assert.Equal("e", WalDirectory.FindNewest(withComplete, OneMb)!.FileName);
    }

    [Fact]
    public void Complete_file_of_wrong_size_is_skipped_and_reported()
    {
        var skipped = new List<ArchivedSegment>();
        var s = new[] { new ArchivedSegment("a", 1, 9, false, OneMb.Bytes), new ArchivedSegment("b", 1, 10, false, 1234) };
        Assert.Equal("a", WalDirectory.FindNewest(s, OneMb, skipped)!.FileName);
        Assert.Equal("b", Assert.Single(skipped).FileName);
    }

    [Fact]
    public void Empty_directory_has_no_newest() => Assert.Null(WalDirectory.FindNewest([], OneMb));
}

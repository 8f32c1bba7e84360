using Microsoft.Extensions.Logging.Abstractions;
using WalReceiver.ObjectStorage;
using WalReceiver.Storage;

namespace WalReceiver.Tests.ObjectStorage;

public sealed class LocalRetentionTests
{
    private static readonly string[] Segments =
    [
        "000000010000000000000001", "000000010000000000000002.zst", "000000010000000000000003", "000000020000000000000004",
        "000000020000000000000005",
    ];

    [Fact]
    public void Only_uploaded_segments_older_than_the_newest_kept_are_removed()
    {
        using var dir = new TempDirectory();
        foreach (var name in Segments.Append("000000020000000000000006.partial").Append("00000002.history").Append(ArchiveManifest.FileName))
            File.WriteAllText(dir.File(name), name);
        var retention = new LocalRetention(dir.Path, 2, FileSync.None, NullLogger.Instance);

        retention.Uploaded("000000010000000000000002.zst"); // uploaded, old: removed
        retention.Uploaded("00000002.history");              // never removed
        Assert.False(File.Exists(dir.File("000000010000000000000002.zst")));
        Assert.True(File.Exists(dir.File("000000010000000000000001"))); // old but not uploaded (yet): kept

        retention.Uploaded("000000010000000000000001");
        retention.Uploaded("000000020000000000000004"); // the newest two (0004 on timeline 2, 0005) are kept
        retention.Uploaded("000000020000000000000005");
        retention.Uploaded("000000010000000000000003");

        var left = Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(["00000002.history", "000000020000000000000004", "000000020000000000000005", "000000020000000000000006.partial",
            ArchiveManifest.FileName], left);
    }

    [Fact]
    public void Segments_order_by_position_across_timelines_not_by_name()
    {
        using var dir = new TempDirectory();
        // Timeline 2 forked at segment 3: by name timeline 1's segment 5 (abandoned) sorts before timeline 2's segment 4.
        foreach (var name in new[] { "000000010000000000000005", "000000020000000000000004", "000000020000000000000006" })
            File.WriteAllText(dir.File(name), name);
        var retention = new LocalRetention(dir.Path, 1, FileSync.None, NullLogger.Instance);

        retention.Uploaded("000000010000000000000005");
        retention.Uploaded("000000020000000000000004");

        Assert.Equal(["000000020000000000000006"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }
}

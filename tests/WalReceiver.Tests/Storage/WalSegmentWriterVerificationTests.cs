using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Storage;

/// <summary>
/// The verification barrier: a full segment is renamed only once it is verified to its end, and the bytes after it wait
/// in memory, never in the next file, so a close in between leaves the full segment as the newest <c>.partial</c>.
/// </summary>
public sealed class WalSegmentWriterVerificationTests
{
    private static readonly WalSegmentSize OneMb = new(1 << 20);
    private static readonly Lsn Start = Lsn.Parse("0/100000");
    private static readonly Lsn SegmentEnd = Lsn.Parse("0/200000");
    private const string First = "000000010000000000000001";
    private const string Second = "000000010000000000000002";

    private static WalSegmentWriter Writer(TempDirectory dir, string compression) =>
        new(dir.Path, OneMb, 1, Start, ArchiveFileModes.OwnerOnly, FileSync.None, CompressionSpecification.Parse(compression));

    [Theory]
    [InlineData("none")]
    [InlineData("zstd")]
    public void Full_segment_is_renamed_only_once_verified_to_its_end_and_the_bytes_after_it_wait(string compression)
    {
        using var dir = new TempDirectory();
        var suffix = CompressedWal.SuffixOf(CompressionSpecification.Parse(compression).Algorithm);
        var wal = Bytes(OneMb.Bytes + 8000, 1);
        var completed = new List<string>();
        using var w = Writer(dir, compression);
        w.SegmentCompleted += completed.Add;

        // A record crossing the segment end at 0/1FFF00 is not verified yet.
        w.Write(Start, wal.AsSpan(0, OneMb.Bytes + 3000), new Lsn(SegmentEnd.Value - 0x100));
        w.Write(SegmentEnd + 3000, wal.AsSpan(OneMb.Bytes + 3000, 2000), new Lsn(SegmentEnd.Value - 0x100));

        Assert.Empty(completed);
        Assert.False(File.Exists(dir.File(First + suffix)));
        Assert.True(File.Exists(dir.File(First + suffix + WalFileName.PartialSuffix)));
        Assert.Empty(Directory.GetFiles(dir.Path, Second + "*"));
        Assert.Equal(SegmentEnd, w.WrittenUpTo);
        Assert.Equal(SegmentEnd + 5000, w.ReceivedUpTo);

        // The rest of the record arrives and checks out: the segment is completed, the held bytes go to the next file.
        w.Write(SegmentEnd + 5000, wal.AsSpan(OneMb.Bytes + 5000), SegmentEnd + 6000);

        Assert.Equal([First + suffix], completed);
        Assert.Equal(wal.AsSpan(0, OneMb.Bytes).ToArray(), Read(dir.File(First + suffix)));
        Assert.False(File.Exists(dir.File(First + suffix + WalFileName.PartialSuffix)));
        Assert.Equal(SegmentEnd + 8000, w.WrittenUpTo);
        Assert.Equal(w.WrittenUpTo, w.ReceivedUpTo);
        w.Close();
        Assert.Equal(wal.AsSpan(OneMb.Bytes).ToArray(), Read(dir.File(Second + suffix + WalFileName.PartialSuffix)).AsSpan(0, 8000).ToArray());
    }

    [Theory]
    [InlineData("none")]
    [InlineData("zstd")]
    public void Close_while_waiting_leaves_the_full_segment_partial_and_drops_the_held_bytes(string compression)
    {
        using var dir = new TempDirectory();
        var suffix = CompressedWal.SuffixOf(CompressionSpecification.Parse(compression).Algorithm);
        var wal = Bytes(OneMb.Bytes + 5000, 2);
        using (var w = Writer(dir, compression))
        {
            w.Write(Start, wal, new Lsn(SegmentEnd.Value - 0x100));
            Assert.Equal(SegmentEnd + 5000, w.ReceivedUpTo);
            w.Close();
            Assert.Equal(SegmentEnd, w.WrittenUpTo);
            Assert.Equal(SegmentEnd, w.ReceivedUpTo);
            Assert.Equal(SegmentEnd, w.FlushedUpTo);
        }

        Assert.Equal(wal.AsSpan(0, OneMb.Bytes).ToArray(), Read(dir.File(First + suffix + WalFileName.PartialSuffix)));
        Assert.Equal([First + suffix + WalFileName.PartialSuffix], Directory.GetFiles(dir.Path, "0*").Select(Path.GetFileName));
        Assert.False(File.Exists(dir.File(ArchiveManifest.FileName)));
    }

    private static byte[] Read(string path)
    {
        using var stream = CompressedWal.OpenRead(path);
        using var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Bytes(int count, int seed)
    {
        var b = new byte[count];
        new Random(seed).NextBytes(b);
        return b;
    }
}

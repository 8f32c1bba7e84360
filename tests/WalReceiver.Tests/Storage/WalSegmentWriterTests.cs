using WalReceiver.Diagnostics;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Storage;

public sealed class WalSegmentWriterTests
{
    private static readonly WalSegmentSize OneMb = new(1 << 20);

    private static byte[] Bytes(int count, int seed)
    {
        var b = new byte[count];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static WalSegmentWriter Writer(TempDirectory dir, Lsn start, uint timeline = 1) =>
        new(dir.Path, OneMb, timeline, start, ArchiveFileModes.OwnerOnly, FileSync.Disk);

    [Fact]
    public void Splits_chunk_crossing_segment_boundary_and_renames_the_full_segment()
    {
        using var dir = new TempDirectory();
        var wal = Bytes(OneMb.Bytes + 5000, 1);
        using (var w = Writer(dir, Lsn.Parse("0/100000")))
        {
            var completed = new List<string>();
            w.SegmentCompleted += completed.Add;
            w.Write(Lsn.Parse("0/100000"), wal.AsSpan(0, 1000));
            w.Write(Lsn.Parse("0/1003E8"), wal.AsSpan(1000));
            Assert.Equal(["000000010000000000000001"], completed);
            Assert.Equal(Lsn.Parse("0/200000"), w.FlushedUpTo);
            Assert.Equal(Lsn.Parse("0/201388"), w.WrittenUpTo);
            Assert.True(w.HasUnflushed);
        }

        Assert.Equal(wal.AsSpan(0, OneMb.Bytes).ToArray(), File.ReadAllBytes(dir.File("000000010000000000000001")));
        Assert.Equal(wal.AsSpan(OneMb.Bytes).ToArray(), File.ReadAllBytes(dir.File("000000010000000000000002.partial")));
        Assert.False(File.Exists(dir.File("000000010000000000000001.partial")));
    }

    [Fact]
    public void Flush_advances_flushed_position_to_written()
    {
        using var dir = new TempDirectory();
        using var w = Writer(dir, Lsn.Parse("0/100000"));
        w.Write(Lsn.Parse("0/100000"), Bytes(100, 2));
        Assert.Equal(Lsn.Parse("0/100000"), w.FlushedUpTo);
        w.Flush();
        Assert.Equal(Lsn.Parse("0/100064"), w.FlushedUpTo);
        Assert.False(w.HasUnflushed);
    }

    [Fact]
    public void Refuses_a_chunk_that_does_not_start_at_the_next_byte()
    {
        using var dir = new TempDirectory();
        using var w = Writer(dir, Lsn.Parse("0/100000"));
        w.Write(Lsn.Parse("0/100000"), Bytes(100, 3));
        var e = Assert.Throws<WalReceiverException>(() => w.Write(Lsn.Parse("0/100100"), Bytes(10, 4)));
        Assert.Contains("0/100100", e.Message, StringComparison.Ordinal);
        Assert.Contains("0/100064", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_to_start_inside_a_segment()
    {
        using var dir = new TempDirectory();
        Assert.Throws<ArgumentException>(() => Writer(dir, Lsn.Parse("0/100010")));
    }

    [Fact]
    public void Reuses_a_crash_leftover_partial_from_offset_zero_without_losing_its_tail()
    {
        using var dir = new TempDirectory();
        var wal = Bytes(OneMb.Bytes, 5);
        File.WriteAllBytes(dir.File("000000010000000000000001.partial"), wal.AsSpan(0, 300_000).ToArray());
        using (var w = Writer(dir, Lsn.Parse("0/100000")))
            w.Write(Lsn.Parse("0/100000"), wal.AsSpan(0, 1000));
        // re-streamed from the segment start: the first bytes are rewritten, the older tail (same WAL) is still there
        Assert.Equal(wal.AsSpan(0, 300_000).ToArray(), File.ReadAllBytes(dir.File("000000010000000000000001.partial")));

        using (var w = Writer(dir, Lsn.Parse("0/100000")))
            w.Write(Lsn.Parse("0/100000"), wal);
        Assert.Equal(wal, File.ReadAllBytes(dir.File("000000010000000000000001")));
    }

    [Fact]
    public void Trims_a_partial_longer_than_a_segment_when_it_completes()
    {
        using var dir = new TempDirectory();
        var wal = Bytes(OneMb.Bytes, 6);
        File.WriteAllBytes(dir.File("000000010000000000000001.partial"), new byte[OneMb.Bytes + 4096]);
        using (var w = Writer(dir, Lsn.Parse("0/100000")))
            w.Write(Lsn.Parse("0/100000"), wal);
        Assert.Equal(wal, File.ReadAllBytes(dir.File("000000010000000000000001")));
    }

    [Fact]
    public void Never_overwrites_a_complete_segment()
    {
        using var dir = new TempDirectory();
        var original = Bytes(OneMb.Bytes, 7);
        File.WriteAllBytes(dir.File("000000010000000000000001"), original);
        using var w = Writer(dir, Lsn.Parse("0/100000"));
        var e = Assert.Throws<WalReceiverException>(() => w.Write(Lsn.Parse("0/100000"), Bytes(10, 8)));
        Assert.Equal(FailureKind.ArchiveDamage, e.Kind);
        Assert.Equal(original, File.ReadAllBytes(dir.File("000000010000000000000001")));
        Assert.False(File.Exists(dir.File("000000010000000000000001.partial")));
    }

    [Fact]
    public void Creates_files_owner_only()
    {
        if (OperatingSystem.IsWindows())
            return; // no POSIX modes there
        using var dir = new TempDirectory();
        using (var w = Writer(dir, Lsn.Parse("0/100000")))
            w.Write(Lsn.Parse("0/100000"), Bytes(10, 9));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.File("000000010000000000000001.partial")));
    }

    [Fact]
    public void Names_files_by_the_writer_timeline()
    {
        using var dir = new TempDirectory();
        using (var w = Writer(dir, Lsn.Parse("1/0"), timeline: 3))
            w.Write(Lsn.Parse("1/0"), Bytes(10, 10));
        Assert.True(File.Exists(dir.File("000000030000000100000000.partial")));
    }

    [Fact]
    public void Close_extends_the_partial_to_a_full_segment_of_zeros_after_the_data()
    {
        using var dir = new TempDirectory();
        var wal = Bytes(5000, 11);
        using (var w = Writer(dir, Lsn.Parse("0/100000")))
        {
            w.Write(Lsn.Parse("0/100000"), wal);
            w.Close();
            Assert.Equal(Lsn.Parse("0/101388"), w.FlushedUpTo);
            Assert.False(w.HasOpenSegment);
        }

        var partial = File.ReadAllBytes(dir.File("000000010000000000000001.partial"));
        Assert.Equal(OneMb.Bytes, partial.Length); // what pg_receivewal expects of a .partial, and restore of a renamed one
        Assert.Equal(wal, partial.AsSpan(0, wal.Length).ToArray());
        Assert.True(partial.AsSpan(wal.Length).IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void A_padded_partial_is_streamed_again_and_completes_with_the_server_bytes()
    {
        using var dir = new TempDirectory();
        var wal = Bytes(OneMb.Bytes, 12);
        using (var w = Writer(dir, Lsn.Parse("0/100000")))
        {
            w.Write(Lsn.Parse("0/100000"), wal.AsSpan(0, 7000));
            w.Close();
        }

        using (var w = Writer(dir, Lsn.Parse("0/100000")))
            w.Write(Lsn.Parse("0/100000"), wal);
        Assert.Equal(wal, File.ReadAllBytes(dir.File("000000010000000000000001")));
        Assert.False(File.Exists(dir.File("000000010000000000000001.partial")));
    }

    [Fact]
    public void Dispose_without_close_leaves_the_partial_as_written()
    {
        using var dir = new TempDirectory();
        using (var w = Writer(dir, Lsn.Parse("0/100000")))
            w.Write(Lsn.Parse("0/100000"), Bytes(100, 13));
        Assert.Equal(100, new FileInfo(dir.File("000000010000000000000001.partial")).Length);
    }

    [Theory]
    [InlineData("0700", UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [InlineData("0750", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)]
    public void Modes_follow_the_server_data_directory_mode(string mode, UnixFileMode expected) =>
        Assert.Equal(expected, ArchiveFileModes.FromDataDirectoryMode(mode).File);

    [Fact]
    public void Preallocated_segments_hold_the_stream_then_zeros_and_complete_at_exactly_the_segment_size()
    {
        using var dir = new TempDirectory();
        var wal = Bytes(OneMb.Bytes + 5000, 11);
        using (var w = new WalSegmentWriter(dir.Path, OneMb, 1, Lsn.Parse("0/100000"), ArchiveFileModes.OwnerOnly, FileSync.Disk, preallocate: true))
        {
            w.Write(Lsn.Parse("0/100000"), wal.AsSpan(0, 1000));
            w.Flush();
            var partial = File.ReadAllBytes(dir.File("000000010000000000000001.partial"));
            Assert.Equal(OneMb.Bytes, partial.Length); // the first segment waits for its preallocated file
            Assert.Equal(wal.AsSpan(0, 1000).ToArray(), partial.AsSpan(0, 1000).ToArray());
            Assert.True(partial.AsSpan(1000).IndexOfAnyExcept((byte)0) < 0);

            w.Write(Lsn.Parse("0/1003E8"), wal.AsSpan(1000));
            w.Close();
        }

        Assert.Equal(wal.AsSpan(0, OneMb.Bytes).ToArray(), File.ReadAllBytes(dir.File("000000010000000000000001")));
        var next = File.ReadAllBytes(dir.File("000000010000000000000002.partial"));
        Assert.Equal(OneMb.Bytes, next.Length); // preallocated or padded by the clean close: the same bytes either way
        Assert.Equal(wal.AsSpan(OneMb.Bytes).ToArray(), next.AsSpan(0, 5000).ToArray());
        Assert.True(next.AsSpan(5000).IndexOfAnyExcept((byte)0) < 0);
        Assert.False(File.Exists(dir.File(SegmentPreallocator.FileName))); // removed with the writer
    }
}

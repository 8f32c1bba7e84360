using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Storage;

public sealed class SegmentPreallocatorTests
{
    private const int SegmentBytes = 1 << 20;

    [Fact]
    public void A_taken_file_is_the_segment_size_all_zeros_and_fsynced_and_the_next_one_is_prepared()
    {
        using var dir = new TempDirectory();
        var sync = new FailingFileSync();
        using var preallocator = new SegmentPreallocator(dir.Path, SegmentBytes, ArchiveFileModes.OwnerOnly, sync);
        var first = dir.File("000000010000000000000001.partial");

        Assert.True(preallocator.TryTake(first, wait: true));

        var bytes = File.ReadAllBytes(first);
        Assert.Equal(SegmentBytes, bytes.Length);
        Assert.True(bytes.AsSpan().IndexOfAnyExcept((byte)0) < 0);
        Assert.True(sync.FileSyncs >= 1); // (the next one may be fsynced already; a failed fsync is never renamed: see below)
        var second = dir.File("000000010000000000000002.partial");
        Assert.True(preallocator.TryTake(second, wait: true));
        Assert.Equal(SegmentBytes, new FileInfo(second).Length);
        Assert.Equal(SegmentBytes, new FileInfo(first).Length); // the first was not touched again
    }

    [Fact]
    public void Dispose_removes_the_prepared_file_and_archive_scans_never_see_it()
    {
        using var dir = new TempDirectory();
        using (var preallocator = new SegmentPreallocator(dir.Path, SegmentBytes, ArchiveFileModes.OwnerOnly, FileSync.Disk))
        {
            preallocator.Prepare();
            Assert.True(preallocator.TryTake(dir.File("000000010000000000000001.partial"), wait: true)); // and the next is under way
            Assert.False(ArchiveFileName.TryClassify(SegmentPreallocator.FileName, out _));
        }

        Assert.False(File.Exists(dir.File(SegmentPreallocator.FileName)));
        Assert.True(File.Exists(dir.File("000000010000000000000001.partial")));
    }

    [Fact]
    public void A_leftover_file_from_a_crash_is_written_again_from_the_start()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File(SegmentPreallocator.FileName), Enumerable.Repeat((byte)0xAB, 4096).ToArray());
        using var preallocator = new SegmentPreallocator(dir.Path, SegmentBytes, ArchiveFileModes.OwnerOnly, FileSync.Disk);
        var taken = dir.File("000000010000000000000001.partial");

        Assert.True(preallocator.TryTake(taken, wait: true));

        var bytes = File.ReadAllBytes(taken);
        Assert.Equal(SegmentBytes, bytes.Length);
        Assert.True(bytes.AsSpan().IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void A_failed_fsync_is_never_renamed_into_place()
    {
        using var dir = new TempDirectory();
        using var preallocator = new SegmentPreallocator(dir.Path, SegmentBytes, ArchiveFileModes.OwnerOnly, new FailingFileSync(fileSyncsBeforeFailing: 0));
        var destination = dir.File("000000010000000000000001.partial");

        Assert.False(preallocator.TryTake(destination, wait: true));

        Assert.False(File.Exists(destination));
        Assert.False(File.Exists(dir.File(SegmentPreallocator.FileName))); // given back, as after ENOSPC
        Assert.False(preallocator.TryTake(destination, wait: true)); // tried again, failing the same way
        Assert.False(File.Exists(dir.File(SegmentPreallocator.FileName)));
    }
}

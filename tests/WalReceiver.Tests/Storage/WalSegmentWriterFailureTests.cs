using WalReceiver.Diagnostics;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Storage;

/// <summary>
/// An fsync that fails is never retried and believed: after it, nothing written since the last good fsync counts as
/// flushed, and the segment is written again through a new writer (a new descriptor).
/// </summary>
public sealed class WalSegmentWriterFailureTests
{
    private static readonly WalSegmentSize OneMb = new(1 << 20);
    private static readonly Lsn Start = Lsn.Parse("0/100000");

    private static byte[] Bytes(int count, int seed)
    {
        var b = new byte[count];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static WalSegmentWriter Writer(TempDirectory dir, FileSync sync) => new(dir.Path, OneMb, 1, Start, ArchiveFileModes.OwnerOnly, sync);

    [Fact]
    public void Failed_flush_keeps_the_flushed_position_and_poisons_the_writer()
    {
        using var dir = new TempDirectory();
        var sync = new FailingFileSync();
        using var w = Writer(dir, sync);
        w.Write(Start, Bytes(1000, 1));
        w.Flush();
        var good = w.FlushedUpTo;
        w.Write(good, Bytes(1000, 2));
        sync.FailFilesFromNow();

        var e = Assert.Throws<WalReceiverException>(w.Flush);
        Assert.True(e.IsDurabilityFailure);
        Assert.Equal(FailureKind.Transient, e.Kind);
        Assert.Contains("000000010000000000000001.partial", e.Message, StringComparison.Ordinal);
        Assert.Contains("Input/output error", e.Message, StringComparison.Ordinal);
        Assert.Equal(good, w.FlushedUpTo);

        // A second fsync of the same descriptor could "succeed" after the kernel dropped the pages: it is never tried.
        var failures = sync.Failures;
        Assert.Same(e, Assert.Throws<WalReceiverException>(w.Flush));
        Assert.Same(e, Assert.Throws<WalReceiverException>(() => w.Write(w.WrittenUpTo, Bytes(10, 3))));
        w.Close(); // only releases the descriptor
        Assert.Equal(failures, sync.Failures);
        Assert.Equal(good, w.FlushedUpTo);
    }

    [Fact]
    public void Failed_fsync_at_a_segment_end_leaves_it_partial()
    {
        using var dir = new TempDirectory();
        var wal = Bytes(OneMb.Bytes, 4);
        using var w = Writer(dir, new FailingFileSync(fileSyncsBeforeFailing: 0));
        var e = Assert.Throws<WalReceiverException>(() => w.Write(Start, wal));
        Assert.True(e.IsDurabilityFailure);
        Assert.Equal(Start, w.FlushedUpTo);
        w.Close();
        Assert.False(File.Exists(dir.File("000000010000000000000001")));
        Assert.True(File.Exists(dir.File("000000010000000000000001.partial")));
    }

    [Fact]
    public void Failed_directory_fsync_after_the_rename_counts_as_a_failure()
    {
        using var dir = new TempDirectory();
        // the directory is fsynced once when the .partial is created, then after the rename
        using var w = Writer(dir, new FailingFileSync(directorySyncsBeforeFailing: 1));
        var e = Assert.Throws<WalReceiverException>(() => w.Write(Start, Bytes(OneMb.Bytes, 5)));
        Assert.True(e.IsDurabilityFailure);
        Assert.Equal(Start, w.FlushedUpTo);
    }

    [Fact]
    public void A_new_writer_streams_the_failed_segment_again_from_its_start()
    {
        using var dir = new TempDirectory();
        var wal = Bytes(OneMb.Bytes, 6);
        using (var w = Writer(dir, new FailingFileSync(fileSyncsBeforeFailing: 0)))
        {
            w.Write(Start, wal.AsSpan(0, 300_000));
            Assert.Throws<WalReceiverException>(w.Flush);
            w.Close();
        }

        var sync = new FailingFileSync();
        using (var again = Writer(dir, sync))
            again.Write(Start, wal);
        Assert.Equal(wal, File.ReadAllBytes(dir.File("000000010000000000000001")));
        Assert.Equal(2, sync.FileSyncs); // the segment, then its manifest line
        Assert.Contains($"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(wal))}  000000010000000000000001",
            File.ReadAllText(dir.File("walreceiver.sha256")), StringComparison.Ordinal);
    }

    [Fact]
    public void Failed_fsync_while_closing_throws_and_releases_the_file()
    {
        using var dir = new TempDirectory();
        var sync = new FailingFileSync();
        var w = Writer(dir, sync);
        w.Write(Start, Bytes(100, 7));
        sync.FailFilesFromNow();
        var e = Assert.Throws<WalReceiverException>(w.Close);
        Assert.True(e.IsDurabilityFailure);
        Assert.False(w.HasOpenSegment);
        Assert.Equal(Start, w.FlushedUpTo);
    }
}

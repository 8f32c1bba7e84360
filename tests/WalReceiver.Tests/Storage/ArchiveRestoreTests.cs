using WalReceiver.Diagnostics;
using WalReceiver.Storage;

namespace WalReceiver.Tests.Storage;

public sealed class ArchiveRestoreTests : IDisposable
{
    private const string Name = "000000010000000000000003";

    private readonly TempDirectory _archive = new();
    private readonly TempDirectory _data = new();

    private string Destination => _data.File("RECOVERYXLOG");

    public void Dispose()
    {
        _archive.Dispose();
        _data.Dispose();
    }

    [Fact]
    public void A_plain_segment_is_copied_byte_for_byte()
    {
        var segment = TestSegments.Segment(Name);
        File.WriteAllBytes(_archive.File(Name), segment);

        var result = Restore(Name);

        Assert.Equal(Name, result.RestoredFrom);
        Assert.Equal(segment, File.ReadAllBytes(Destination));
        AssertOnlyDestination();
    }

    [Theory]
    [InlineData(".gz")]
    [InlineData(".lz4")]
    [InlineData(".zst")]
    public void A_compressed_segment_of_several_frames_is_decompressed(string suffix)
    {
        var algorithm = Algorithm(suffix);
        var segment = TestSegments.Segment(Name);
        File.WriteAllBytes(_archive.File(Name + suffix), TestSegments.Compress(segment, algorithm, frames: 5));

        var result = Restore(Name);

        Assert.Equal(Name + suffix, result.RestoredFrom);
        Assert.Equal(segment, File.ReadAllBytes(Destination));
        AssertOnlyDestination();
    }

    [Fact]
    public void The_plain_form_is_preferred_when_several_exist()
    {
        var segment = TestSegments.Segment(Name);
        File.WriteAllBytes(_archive.File(Name), segment);
        File.WriteAllBytes(_archive.File(Name + ".zst"), [1, 2, 3]); // never read

        Assert.Equal(Name, Restore(Name).RestoredFrom);
        Assert.Equal(segment, File.ReadAllBytes(Destination));
    }

    [Fact]
    public void A_file_the_archive_does_not_have_is_not_found_and_nothing_is_written()
    {
        File.WriteAllBytes(_archive.File("000000010000000000000002"), TestSegments.Segment("000000010000000000000002"));

        var result = Restore(Name);

        Assert.False(result.Restored);
        Assert.Null(result.UnservedPartial);
        Assert.Empty(Directory.GetFiles(_data.Path));
    }

    [Fact]
    public void A_partial_is_not_served_without_the_flag_but_named()
    {
        File.WriteAllBytes(_archive.File(Name + ".partial"), TestSegments.Segment(Name, 20_000));

        var result = Restore(Name);

        Assert.False(result.Restored);
        Assert.Equal(Name + ".partial", result.UnservedPartial);
        Assert.Empty(Directory.GetFiles(_data.Path));
    }

    [Theory]
    [InlineData(".partial")]
    [InlineData(".gz.partial")]
    [InlineData(".lz4.partial")]
    [InlineData(".zst.partial")]
    public void With_the_flag_a_partial_is_padded_with_zeros_to_the_segment_size(string suffix)
    {
        var algorithm = Algorithm(suffix);
        var data = TestSegments.Segment(Name, 300_000);
        File.WriteAllBytes(_archive.File(Name + suffix), TestSegments.Compress(data, algorithm));

        var result = Restore(Name, partial: true);

        Assert.Equal(Name + suffix, result.RestoredFrom);
        var restored = File.ReadAllBytes(Destination);
        Assert.Equal(TestSegments.Size.Bytes, restored.Length);
        Assert.Equal(data, restored[..data.Length]);
        Assert.True(restored.AsSpan(data.Length).IndexOfAnyExcept((byte)0) < 0, "the padding is not zeros");
        AssertOnlyDestination();
    }

    [Fact]
    public void A_partial_already_padded_by_a_clean_stop_is_served_as_it_is()
    {
        var data = TestSegments.Segment(Name, 300_000);
        var padded = new byte[TestSegments.Size.Bytes];
        data.CopyTo(padded, 0);
        File.WriteAllBytes(_archive.File(Name + ".partial"), padded);

        Restore(Name, partial: true);

        Assert.Equal(padded, File.ReadAllBytes(Destination));
    }

    [Fact]
    public void A_complete_segment_wins_over_a_partial_even_with_the_flag()
    {
        var segment = TestSegments.Segment(Name);
        File.WriteAllBytes(_archive.File(Name + ".zst"), TestSegments.Compress(segment, CompressionAlgorithm.Zstd));
        File.WriteAllBytes(_archive.File(Name + ".partial"), TestSegments.Segment(Name, 1000));

        Assert.Equal(Name + ".zst", Restore(Name, partial: true).RestoredFrom);
        Assert.Equal(segment, File.ReadAllBytes(Destination));
    }

    [Theory]
    [InlineData(".lz4.partial")]
    [InlineData(".zst.partial")]
    [InlineData(".gz.partial")]
    public void A_compressed_partial_cut_inside_a_frame_serves_the_frames_before_the_cut(string suffix)
    {
        var algorithm = Algorithm(suffix);
        // A crash between a write and its fsync: the last frame is cut; it was never reported flushed.
        var data = TestSegments.Segment(Name, 600_000);
        var compressed = TestSegments.Compress(data, algorithm, frames: 3);
        var twoFrames = TestSegments.FramesLength(data, algorithm, 2, of: 3);
        File.WriteAllBytes(_archive.File(Name + suffix), compressed[..(twoFrames + (compressed.Length - twoFrames) / 2)]);

        Restore(Name, partial: true);

        var restored = File.ReadAllBytes(Destination);
        Assert.Equal(TestSegments.Size.Bytes, restored.Length);
        Assert.Equal(data[..400_000], restored[..400_000]);
        // What the decoder could take from the cut frame (gzip gives some of it back) is a prefix of the real bytes, and the
        // rest is padding. (Not "up to the last non-zero byte": the served bytes may themselves end in zeros.)
        var served = restored.AsSpan().CommonPrefixLength(data);
        Assert.InRange(served, 400_000, 600_000);
        Assert.True(restored.AsSpan(served).IndexOfAnyExcept((byte)0) < 0, $"the bytes after the {served} served are not all padding");
    }

    [Theory]
    [InlineData(".partial")]
    [InlineData(".zst.partial")]
    public void A_partial_without_a_page_header_yet_is_not_found(string suffix)
    {
        var algorithm = Algorithm(suffix);
        File.WriteAllBytes(_archive.File(Name + suffix), TestSegments.Compress(new byte[10], algorithm, frames: 1));

        Assert.False(Restore(Name, partial: true).Restored);
        Assert.Empty(Directory.GetFiles(_data.Path));
    }

    [Theory]
    [InlineData("", -4096)]
    [InlineData("", 4096)]
    [InlineData(".gz", -1)]
    [InlineData(".gz", 1)]
    [InlineData(".lz4", -100_000)]
    [InlineData(".zst", -8192)]
    [InlineData(".zst", 8192)]
    public void A_segment_of_another_size_is_damage(string suffix, int difference)
    {
        var algorithm = Algorithm(suffix);
        var content = TestSegments.Segment(Name, TestSegments.Size.Bytes + difference);
        File.WriteAllBytes(_archive.File(Name + suffix), TestSegments.Compress(content, algorithm));

        var e = AssertFails(Name, FailureKind.ArchiveDamage);

        Assert.Contains(Name + suffix, e.Message, StringComparison.Ordinal);
        Assert.Contains("segment size of 1048576 bytes", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".gz")]
    [InlineData(".lz4")]
    [InlineData(".zst")]
    public void A_truncated_compressed_segment_is_damage(string suffix)
    {
        var algorithm = Algorithm(suffix);
        var compressed = TestSegments.Compress(TestSegments.Segment(Name), algorithm);
        File.WriteAllBytes(_archive.File(Name + suffix), compressed[..(compressed.Length * 2 / 3)]);

        var e = AssertFails(Name, FailureKind.ArchiveDamage);

        Assert.Contains("is damaged", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".gz")]
    [InlineData(".lz4")]
    [InlineData(".zst")]
    public void A_corrupt_frame_is_damage(string suffix)
    {
        // The second frame's header is overwritten. (A flipped bit inside stored data goes unseen by LZ4 and Zstandard
        // frames written without a content checksum; only gzip's CRC, or the WAL records' own CRCs at replay, catch that.)
        var algorithm = Algorithm(suffix);
        var segment = TestSegments.Segment(Name);
        var compressed = TestSegments.Compress(segment, algorithm, frames: 3);
        var second = TestSegments.FramesLength(segment, algorithm, 1, of: 3);
        compressed.AsSpan(second, 8).Fill(0xA5);
        File.WriteAllBytes(_archive.File(Name + suffix), compressed);

        AssertFails(Name, FailureKind.ArchiveDamage);
    }

    [Fact]
    public void A_segment_whose_header_is_another_segment_is_damage()
    {
        File.WriteAllBytes(_archive.File(Name), TestSegments.Segment("000000010000000000000004"));

        var e = AssertFails(Name, FailureKind.ArchiveDamage);

        Assert.Contains("not the start of segment " + Name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_segment_without_a_long_page_header_is_damage()
    {
        File.WriteAllBytes(_archive.File(Name), new byte[TestSegments.Size.Bytes]);

        AssertFails(Name, FailureKind.ArchiveDamage);
    }

    [Theory]
    [InlineData("00000002.history")]
    [InlineData("000000010000000000000002.00000028.backup")]
    public void History_files_are_copied_as_they_are(string name)
    {
        var content = "1\t0/3000000\tno recovery target specified\n"u8.ToArray();
        File.WriteAllBytes(_archive.File(name), content);

        Assert.Equal(name, Restore(name).RestoredFrom);
        Assert.Equal(content, File.ReadAllBytes(Destination));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/etc/passwd")]
    [InlineData("000000010000000000000001/..")]
    [InlineData("00000001000000000000000a")]
    [InlineData("")]
    [InlineData("00000001.history.tmp")]
    [InlineData("000000010000000000000003.partial")]
    public void A_name_that_is_not_an_archive_file_is_a_usage_error(string name)
    {
        var e = AssertFails(name, FailureKind.Usage);

        Assert.Contains("%f", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_archive_directory_is_a_configuration_error()
    {
        var missing = Path.Combine(_archive.Path, "nope");

        var e = Assert.Throws<WalReceiverException>(() => ArchiveRestore.Restore(missing, Name, Destination, false, FileSync.Disk));

        Assert.Equal(FailureKind.Configuration, e.Kind);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failing_fsync_leaves_neither_the_destination_nor_the_temporary_file()
    {
        File.WriteAllBytes(_archive.File(Name + ".zst"), TestSegments.Compress(TestSegments.Segment(Name), CompressionAlgorithm.Zstd));
        var sync = new FailingFileSync(fileSyncsBeforeFailing: 0);

        var e = Assert.Throws<WalReceiverException>(() => ArchiveRestore.Restore(_archive.Path, Name, Destination, false, sync));

        Assert.Equal(FailureKind.Transient, e.Kind);
        Assert.Contains("fsync", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, sync.Failures);
        Assert.Empty(Directory.GetFiles(_data.Path));
    }

    [Fact]
    public void A_failing_directory_fsync_after_the_rename_is_an_error()
    {
        File.WriteAllBytes(_archive.File(Name), TestSegments.Segment(Name));
        var sync = new FailingFileSync(directorySyncsBeforeFailing: 0);

        Assert.Throws<WalReceiverException>(() => ArchiveRestore.Restore(_archive.Path, Name, Destination, false, sync));

        // The file itself was complete and fsynced before its rename; only no temporary file may be left.
        Assert.Equal([Destination], Directory.GetFiles(_data.Path));
    }

    [Fact]
    public void A_missing_destination_directory_is_a_write_failure_and_creates_nothing()
    {
        File.WriteAllBytes(_archive.File(Name), TestSegments.Segment(Name));
        var destination = Path.Combine(_data.Path, "pg_wal", "RECOVERYXLOG");

        var e = Assert.Throws<WalReceiverException>(() => ArchiveRestore.Restore(_archive.Path, Name, destination, false, FileSync.Disk));

        Assert.Contains("could not create", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_data.Path));
    }

    [Fact]
    public void A_damaged_file_leaves_neither_the_destination_nor_the_temporary_file()
    {
        File.WriteAllBytes(Destination, [42]); // what a previous attempt left; replaced only by a whole file
        File.WriteAllBytes(_archive.File(Name), TestSegments.Segment(Name, TestSegments.Size.Bytes - 1));

        AssertFails(Name, FailureKind.ArchiveDamage);

        Assert.Equal([Destination], Directory.GetFiles(_data.Path));
        Assert.Equal([42], File.ReadAllBytes(Destination));
    }

    [Fact]
    public void An_existing_destination_is_replaced()
    {
        var segment = TestSegments.Segment(Name);
        File.WriteAllBytes(_archive.File(Name), segment);
        File.WriteAllBytes(Destination, [1, 2, 3]);

        Restore(Name);

        Assert.Equal(segment, File.ReadAllBytes(Destination));
    }

    [Fact]
    public void A_cancelled_copy_removes_the_temporary_file()
    {
        File.WriteAllBytes(_archive.File(Name), TestSegments.Segment(Name));

        Assert.Throws<OperationCanceledException>(() =>
            ArchiveRestore.Restore(_archive.Path, Name, Destination, false, FileSync.Disk, new CancellationToken(canceled: true)));

        Assert.Empty(Directory.GetFiles(_data.Path));
    }

    private static CompressionAlgorithm Algorithm(string suffix) => CompressedWal.Split(Name + suffix).Algorithm;

    private RestoreResult Restore(string name, bool partial = false) =>
        ArchiveRestore.Restore(_archive.Path, name, Destination, partial, FileSync.Disk);

    private WalReceiverException AssertFails(string name, FailureKind kind)
    {
        var e = Assert.Throws<WalReceiverException>(() => Restore(name));
        Assert.True(kind == e.Kind, $"expected {kind}, got {e.Kind}: {e.Message}");
        Assert.DoesNotContain(Directory.GetFiles(_data.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal));
        return e;
    }

    private void AssertOnlyDestination() => Assert.Equal([Destination], Directory.GetFiles(_data.Path));
}

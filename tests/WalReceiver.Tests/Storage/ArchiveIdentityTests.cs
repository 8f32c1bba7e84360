using WalReceiver.Diagnostics;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Storage;

public sealed class ArchiveIdentityTests
{
    private static readonly WalSegmentSize OneMb = new(1 << 20);

    // The first page header of a PG15 segment (pg_receivewal.md, LAB): magic D110, info LONG, tli 1, sysid, 16 MB, 8 kB.
    private static byte[] SegmentStart(ulong systemId, int segmentSize)
    {
        var b = new byte[8192];
        b[0] = 0x10;
        b[1] = 0xD1;
        b[2] = 0x02;
        b[4] = 1;
        BitConverter.TryWriteBytes(b.AsSpan(24), systemId);
        BitConverter.TryWriteBytes(b.AsSpan(32), (uint)segmentSize);
        BitConverter.TryWriteBytes(b.AsSpan(36), 8192u);
        return b;
    }

    [Fact]
    public void Empty_archive_records_the_server_identifier()
    {
        using var dir = new TempDirectory();
        ArchiveIdentity.Check(dir.Path, 7711637993744336669, null, OneMb);
        Assert.False(File.Exists(dir.File(ArchiveIdentity.FileName)));
        ArchiveIdentity.Record(dir.Path, 7711637993744336669, ArchiveFileModes.OwnerOnly, FileSync.Disk);
        Assert.Equal("7711637993744336669\n", File.ReadAllText(dir.File(ArchiveIdentity.FileName)));
        ArchiveIdentity.Check(dir.Path, 7711637993744336669, null, OneMb);
    }

    [Fact]
    public void Another_cluster_is_refused_naming_both_identifiers_and_nothing_is_touched()
    {
        using var dir = new TempDirectory();
        ArchiveIdentity.Record(dir.Path, 111, ArchiveFileModes.OwnerOnly, FileSync.Disk);
        var e = Assert.Throws<WalReceiverException>(() => ArchiveIdentity.Check(dir.Path, 222, null, OneMb));
        Assert.Equal(FailureKind.ArchiveDamage, e.Kind);
        Assert.Contains("111", e.Message, StringComparison.Ordinal);
        Assert.Contains("222", e.Message, StringComparison.Ordinal);
        Assert.Equal("111\n", File.ReadAllText(dir.File(ArchiveIdentity.FileName)));
    }

    [Fact]
    public void Archive_made_by_another_tool_is_identified_by_its_page_header()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("000000010000000000000003"), SegmentStart(333, OneMb.Bytes));
        var newest = new ArchivedSegment("000000010000000000000003", 1, 3, false, OneMb.Bytes);
        Assert.Equal(333UL, ArchiveIdentity.ReadFromSegment(dir.File(newest.FileName), OneMb));
        var e = Assert.Throws<WalReceiverException>(() => ArchiveIdentity.Check(dir.Path, 444, newest, OneMb));
        Assert.Contains("333", e.Message, StringComparison.Ordinal);
        ArchiveIdentity.Check(dir.Path, 333, newest, OneMb);
    }

    [Fact]
    public void Short_or_foreign_files_give_no_identifier()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("a"), new byte[10]);
        File.WriteAllBytes(dir.File("b"), SegmentStart(5, 16 << 20));
        Assert.Null(ArchiveIdentity.ReadFromSegment(dir.File("a"), OneMb));
        Assert.Null(ArchiveIdentity.ReadFromSegment(dir.File("b"), OneMb));
    }

    [Fact]
    public void History_file_is_stored_once_and_a_different_one_is_refused()
    {
        using var dir = new TempDirectory();
        var content = "1\t0/3000000\tx\n"u8.ToArray();
        Assert.True(TimelineHistoryStore.Store(dir.Path, 2, content, ArchiveFileModes.OwnerOnly, FileSync.Disk));
        Assert.False(TimelineHistoryStore.Store(dir.Path, 2, content, ArchiveFileModes.OwnerOnly, FileSync.Disk));
        Assert.Equal(content, File.ReadAllBytes(dir.File("00000002.history")));
        var e = Assert.Throws<WalReceiverException>(() => TimelineHistoryStore.Store(dir.Path, 2, "1\t0/4000000\tx\n"u8.ToArray(),
            ArchiveFileModes.OwnerOnly, FileSync.Disk));
        Assert.Equal(FailureKind.ArchiveDamage, e.Kind);
        Assert.False(File.Exists(dir.File("00000002.history.tmp")));
    }
}

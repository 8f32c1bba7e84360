using System.Globalization;
using WalReceiver.Storage;
using WalReceiver.Tests.Wal;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Storage;

/// <summary>
/// Timeline switches in an archive, on synthetic WAL: timeline 1 in segments 3 and 4 and up to 0/580000, where
/// timeline 2 begins. Its file 000000020000000000000005 repeats timeline 1's WAL up to the switch, as the server's does.
/// </summary>
public sealed class ArchiveVerifierTests
{
    private static readonly WalSegmentSize OneMb = new(1 << 20);
    private static readonly Lsn SwitchPoint = Lsn.Parse("0/580000");

    [Fact]
    public void Timeline_switch_explained_by_its_history_file_has_no_error()
    {
        using var dir = Archive(withHistory: true);

        var report = ArchiveVerifier.Verify(dir.Path);

        Assert.True(report.Errors == 0, string.Join("\n", report.Findings));
        Assert.Equal(5, report.Files);
        Assert.True(report.RecordsChecked > 1000, report.RecordsChecked.ToString(CultureInfo.InvariantCulture));
        // pg_receivewal keeps the old timeline's last segment as .partial; the new timeline's file supersedes it
        Assert.Contains(report.Findings, f => f is { Severity: ArchiveFindingSeverity.Warning, File: "000000010000000000000005.partial" });
        Assert.Contains(report.Findings, f => f is { Severity: ArchiveFindingSeverity.Info, File: "000000020000000000000006.partial" });
    }

    [Fact]
    public void Timeline_switch_without_a_history_file_is_an_error()
    {
        using var dir = Archive(withHistory: false);

        var report = ArchiveVerifier.Verify(dir.Path);

        var error = Assert.Single(report.Findings, f => f.Severity == ArchiveFindingSeverity.Error);
        Assert.Equal("000000020000000000000005", error.File);
        Assert.StartsWith("timeline 2 has no history file (00000002.history)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_segment_on_the_new_timeline_is_a_gap()
    {
        using var dir = Archive(withHistory: true);
        File.Delete(dir.File("000000020000000000000005"));

        var report = ArchiveVerifier.Verify(dir.Path);

        var gap = Assert.Single(report.Findings, f => f.Severity == ArchiveFindingSeverity.Error);
        Assert.Equal("000000020000000000000006.partial", gap.File);
        Assert.Equal(Lsn.Parse("0/500000"), gap.Lsn);
        Assert.StartsWith("gap: segment 000000020000000000000005 is missing", gap.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".gz")]
    [InlineData(".lz4")]
    [InlineData(".zst")]
    public void A_compressed_segment_with_a_corrupt_frame_is_an_error_of_its_own(string suffix)
    {
        // Each decoder reports a corrupt frame its own way (Zstandard's exception is no IOException); none may end the run.
        var algorithm = CompressedWal.Split("x" + suffix).Algorithm;
        const string Name = "000000010000000000000004";
        using var dir = Archive(withHistory: true);
        var segment = File.ReadAllBytes(dir.File(Name));
        var compressed = TestSegments.Compress(segment, algorithm, frames: 3);
        compressed.AsSpan(TestSegments.FramesLength(segment, algorithm, 1, of: 3), 8).Fill(0xA5);
        File.Delete(dir.File(Name));
        var stored = CompressedWal.NameOf(Name, algorithm, partial: false);
        File.WriteAllBytes(dir.File(stored), compressed);

        var report = ArchiveVerifier.Verify(dir.Path);

        Assert.Contains(report.Findings, f => f.Severity == ArchiveFindingSeverity.Error && f.File == stored);
        Assert.Equal(5, report.Files);
    }

    private static TempDirectory Archive(bool withHistory)
    {
        var wal = new WalBuilder(OneMb, Lsn.Parse("0/300000")).Fill(new Lsn(SwitchPoint.Value - 3000));
        wal.Fill(SwitchPoint, maxLength: 100);
        while (wal.End.Value % WalPageHeader.PageSize != 0)
            wal.Record(24);
        var switchPoint = wal.End;
        wal.Timeline = 2;
        wal.Fill(Lsn.Parse("0/640000"));
        var bytes = wal.ToArray();
        var dir = new TempDirectory();
        byte[] Segment(ulong n) => bytes.AsSpan(wal.OffsetOf(OneMb.StartOfSegment(n)), OneMb.Bytes).ToArray();
        File.WriteAllBytes(dir.File("000000010000000000000003"), Segment(3));
        File.WriteAllBytes(dir.File("000000010000000000000004"), Segment(4));
        var oldTail = new byte[OneMb.Bytes];
        Segment(5).AsSpan(0, OneMb.OffsetIn(switchPoint)).CopyTo(oldTail);
        File.WriteAllBytes(dir.File("000000010000000000000005.partial"), oldTail);
        File.WriteAllBytes(dir.File("000000020000000000000005"), Segment(5));
        var newest = new byte[OneMb.Bytes];
        var used = wal.OffsetOf(wal.End) - wal.OffsetOf(OneMb.StartOfSegment(6));
        bytes.AsSpan(wal.OffsetOf(OneMb.StartOfSegment(6)), used).CopyTo(newest);
        File.WriteAllBytes(dir.File("000000020000000000000006.partial"), newest);
        if (withHistory)
            File.WriteAllText(dir.File("00000002.history"), $"1\t{switchPoint}\tno recovery target specified\n");
        return dir;
    }
}

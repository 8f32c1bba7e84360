using System.Security.Cryptography;
using WalReceiver.Storage;

namespace WalReceiver.Tests.Storage;

public sealed class ArchiveManifestTests
{
    private const string Segment = "000000010000000000000002";

    [Fact]
    public void Appended_lines_read_back_and_the_last_line_for_a_name_wins()
    {
        using var dir = new TempDirectory();
        var manifest = new ArchiveManifest(dir.Path, ArchiveFileModes.OwnerOnly, FileSync.None);
        manifest.Append(Segment, SHA256.HashData("old"u8));
        manifest.Append(Segment + ".zst", SHA256.HashData("other"u8));
        manifest.Append(Segment, SHA256.HashData("new"u8));

        var read = ArchiveManifest.Read(dir.Path);

        Assert.NotNull(read);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("new"u8)), read[Segment]);
        Assert.Equal(2, read.Count);
    }

    [Fact]
    public void A_line_a_crash_left_unfinished_is_reported_and_does_not_swallow_the_next_one()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File(ArchiveManifest.FileName), "0123abc");
        new ArchiveManifest(dir.Path, ArchiveFileModes.OwnerOnly, FileSync.None).Append(Segment, SHA256.HashData("x"u8));
        var invalid = new List<string>();

        var read = ArchiveManifest.Read(dir.Path, invalid);

        Assert.Equal([Segment], read!.Keys);
        Assert.Equal(["0123abc"], invalid);
    }

    [Theory]
    [InlineData("upper-case hex", "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789  x")]
    [InlineData("one space", "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789 x")]
    [InlineData("a path", "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789  ../x")]
    [InlineData("no name", "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789  ")]
    public void Lines_that_are_not_sha256sum_lines_are_reported(string why, string line)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File(ArchiveManifest.FileName), line + "\n\n");
        var invalid = new List<string>();

        var read = ArchiveManifest.Read(dir.Path, invalid);

        Assert.True(read!.Count == 0, why);
        Assert.Equal([line], invalid);
    }

    [Fact]
    public void An_archive_without_a_manifest_has_none()
    {
        using var dir = new TempDirectory();

        Assert.Null(ArchiveManifest.Read(dir.Path));
    }
}

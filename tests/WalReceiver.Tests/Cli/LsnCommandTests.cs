using WalReceiver.Cli.Commands.LsnVerb;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Cli;

public sealed class LsnCommandTests
{
    [Theory]
    [InlineData(null, 16 << 20)]
    [InlineData("1", 1 << 20)]
    [InlineData("64", 64 << 20)]
    [InlineData("16MB", 16 << 20)]
    [InlineData("1GB", 1 << 30)]
    [InlineData("1024", 1 << 30)]
    public void Segment_size_is_megabytes_as_initdb_takes_it_or_as_show_prints_it(string? text, int bytes)
    {
        Assert.True(LsnCommand.TryParseSegmentSize(text, out var size, out var error), error);
        Assert.Equal(bytes, size.Bytes);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("2048")]
    [InlineData("16 MB")]
    [InlineData("")]
    [InlineData("-1")]
    public void Other_segment_sizes_are_refused_naming_what_is_accepted(string text)
    {
        Assert.False(LsnCommand.TryParseSegmentSize(text, out _, out var error));
        Assert.Contains("power of two from 1 to 1024 MB", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_text_for_a_boundary_says_which_file_postgresql_names()
    {
        var text = LsnCommand.Text(new LsnLocation(Lsn.Parse("0/3000000"), 1, WalSegmentSize.Default));
        Assert.Contains("file      000000010000000000000003", text, StringComparison.Ordinal);
        Assert.Contains("pg_walfile_name names 000000010000000000000002", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pg_walfile_name", LsnCommand.Text(new LsnLocation(Lsn.Parse("0/3000001"), 1, WalSegmentSize.Default)), StringComparison.Ordinal);
    }
}

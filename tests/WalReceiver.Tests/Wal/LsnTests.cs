using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

public sealed class LsnTests
{
    [Theory]
    [InlineData("0/0", 0UL)]
    [InlineData("0/16B3748", 0x16B3748UL)]
    [InlineData("0/09310B90", 0x9310B90UL)]
    [InlineData("4/DF75D0E0", 0x4_DF75D0E0UL)]
    [InlineData("FFFFFFFF/FFFFFFFF", ulong.MaxValue)]
    [InlineData("a/b", 0xA_0000000BUL)]
    public void Parses_postgres_text_forms(string text, ulong expected) => Assert.Equal(expected, Lsn.Parse(text).Value);

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("/1")]
    [InlineData("1/")]
    [InlineData("1/2/3")]
    [InlineData("G/0")]
    [InlineData("123456789/0")]
    [InlineData("0/123456789")]
    [InlineData(" 0/1")]
    [InlineData("-1/0")]
    public void Rejects_malformed_text(string text)
    {
        Assert.False(Lsn.TryParse(text, out _));
        var e = Assert.Throws<FormatException>(() => Lsn.Parse(text));
        Assert.Contains($"\"{text}\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Formats_like_postgres_15_without_padding() => Assert.Equal("4/DF75D0E0", new Lsn(0x4_DF75D0E0).ToString());

    [Fact]
    public void Formats_small_low_half_unpadded() => Assert.Equal("0/300FAF8", Lsn.Parse("0/0300FAF8").ToString());

    [Fact]
    public void Diff_is_signed_like_pg_wal_lsn_diff()
    {
        Assert.Equal(0x1000, Lsn.Diff(Lsn.Parse("0/2000"), Lsn.Parse("0/1000")));
        Assert.Equal(-0x1000, Lsn.Diff(Lsn.Parse("0/1000"), Lsn.Parse("0/2000")));
        Assert.Equal(0x1_0000_0000L, Lsn.Diff(Lsn.Parse("1/0"), Lsn.Parse("0/0")));
    }

    [Fact]
    public void Add_overflow_throws_instead_of_wrapping() =>
        Assert.Throws<OverflowException>(() => new Lsn(ulong.MaxValue) + 1UL);

    [Fact]
    public void Orders_by_value()
    {
        Assert.True(Lsn.Parse("1/0") > Lsn.Parse("0/FFFFFFFF"));
        Assert.Equal(Lsn.Parse("1/0"), Lsn.Max(Lsn.Parse("1/0"), Lsn.Parse("0/5")));
        Assert.False(Lsn.Invalid.IsValid);
    }
}

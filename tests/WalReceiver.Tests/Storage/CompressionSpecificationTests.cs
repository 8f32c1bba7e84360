using WalReceiver.Storage;

namespace WalReceiver.Tests.Storage;

/// <summary>Every row was checked against pg_receivewal 15.18's own answer (its binary, before it connects).</summary>
public sealed class CompressionSpecificationTests
{
    [Theory]
    [InlineData("none", "none", 0)]
    [InlineData("none:0", "none", 0)]
    [InlineData("none:level=0", "none", 0)]
    [InlineData("0", "none", 0)]
    [InlineData("00", "none", 0)]
    [InlineData("-0", "none", 0)]
    [InlineData("", "none", 0)]
    [InlineData("5", "gzip", 5)]
    [InlineData(" 5", "gzip", 5)]
    [InlineData("+3", "gzip", 3)]
    [InlineData("-1", "gzip", -1)]
    [InlineData("gzip", "gzip", -1)]
    [InlineData("gzip:-1", "gzip", -1)]
    [InlineData("gzip:9", "gzip", 9)]
    [InlineData("gzip: 5", "gzip", 5)]
    [InlineData("gzip:level=5", "gzip", 5)]
    [InlineData("gzip:level= 5", "gzip", 5)]
    [InlineData("gzip:level=5,level=6", "gzip", 6)]
    [InlineData("gzip:4294967297", "gzip", 1)]
    [InlineData("99999999999999999999", "gzip", -1)]
    [InlineData("lz4", "lz4", 0)]
    [InlineData("lz4:0", "lz4", 0)]
    [InlineData("lz4:12", "lz4", 12)]
    [InlineData("zstd", "zstd", 3)]
    [InlineData("zstd:-5", "zstd", -5)]
    [InlineData("zstd:workers=2", "zstd", 3)]
    public void Accepts_what_pg_receivewal_accepts(string text, string algorithm, int level)
    {
        Assert.True(CompressionSpecification.TryParse(text, out var specification, out var error), error);
        Assert.Equal(algorithm, specification.AlgorithmName);
        Assert.Equal(level, specification.Level);
    }

    [Theory]
    [InlineData("none:1", "invalid compression specification: compression algorithm \"none\" does not accept a compression level")]
    [InlineData("none:level=-1", "invalid compression specification: compression algorithm \"none\" does not accept a compression level")]
    [InlineData("10", "invalid compression specification: compression algorithm \"gzip\" expects a compression level between 1 and 9 (default at -1)")]
    [InlineData("gzip:0", "invalid compression specification: compression algorithm \"gzip\" expects a compression level between 1 and 9 (default at -1)")]
    [InlineData("gzip:99999999999", "invalid compression specification: compression algorithm \"gzip\" expects a compression level between 1 and 9 (default at -1)")]
    [InlineData("lz4:13", "invalid compression specification: compression algorithm \"lz4\" expects a compression level between 1 and 12 (default at 0)")]
    [InlineData("lz4:level=-1", "invalid compression specification: compression algorithm \"lz4\" expects a compression level between 1 and 12 (default at 0)")]
    [InlineData("zstd:100", "invalid compression specification: compression algorithm \"zstd\" expects a compression level between -131072 and 22 (default at 3)")]
    [InlineData("gzip:level=10,workers=2", "invalid compression specification: compression algorithm \"gzip\" expects a compression level between 1 and 9 (default at -1)")]
    [InlineData("gzip:workers=2", "invalid compression specification: compression algorithm \"gzip\" does not accept a worker count")]
    [InlineData("none:workers=1", "invalid compression specification: compression algorithm \"none\" does not accept a worker count")]
    [InlineData("gzip:level=x", "invalid compression specification: value for compression option \"level\" must be an integer")]
    [InlineData("gzip:level=", "invalid compression specification: value for compression option \"level\" must be an integer")]
    [InlineData("gzip:level=5=6", "invalid compression specification: value for compression option \"level\" must be an integer")]
    [InlineData("gzip:level", "invalid compression specification: compression option \"level\" requires a value")]
    [InlineData("gzip:foo=1", "invalid compression specification: unrecognized compression option: \"foo\"")]
    [InlineData("gzip:5,level=3", "invalid compression specification: unrecognized compression option: \"5\"")]
    [InlineData("gzip:LEVEL=1", "invalid compression specification: unrecognized compression option: \"LEVEL\"")]
    [InlineData("gzip:", "invalid compression specification: found empty string where a compression option was expected")]
    [InlineData("gzip:level=5,", "invalid compression specification: found empty string where a compression option was expected")]
    [InlineData("gzip:=5", "invalid compression specification: found empty string where a compression option was expected")]
    [InlineData("foo", "unrecognized compression algorithm: \"foo\"")]
    [InlineData("GZIP", "unrecognized compression algorithm: \"GZIP\"")]
    [InlineData(" ", "unrecognized compression algorithm: \" \"")]
    [InlineData("5 ", "unrecognized compression algorithm: \"5 \"")]
    public void Refuses_what_pg_receivewal_refuses_in_its_words(string text, string expected)
    {
        Assert.False(CompressionSpecification.TryParse(text, out _, out var error));
        Assert.Equal(expected, error);
    }
}

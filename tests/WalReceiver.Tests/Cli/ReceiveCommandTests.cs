using WalReceiver.Cli.Commands.Receive;

namespace WalReceiver.Tests.Cli;

public sealed class ReceiveCommandTests
{
    private static ReceiveArguments Arguments(string? compress) => new(
        Directory: "/archive", EndPosition: null, IfNotExists: false, NoLoop: false, NoSync: false, StatusInterval: 10, Slot: null,
        Synchronous: false, Verbose: false, Compress: compress, DbName: null, Host: null, Port: null, UserName: null, NoPassword: false,
        Password: false, CreateSlot: false, DropSlot: false);

    [Theory]
    [InlineData(null)]
    [InlineData("none")]
    [InlineData("0")]
    [InlineData("none:level=0")]
    public void Uncompressed_archives_pass_the_usage_checks(string? compress) => Assert.Null(ReceiveCommand.CheckUsage(Arguments(compress)));

    [Theory]
    [InlineData("gzip:1", "gzip")]
    [InlineData("5", "gzip")]
    [InlineData("lz4", "lz4")]
    [InlineData("zstd", "zstd")]
    public void Compression_that_would_compress_is_refused_as_not_supported_yet(string compress, string algorithm) =>
        Assert.Equal($"compression with {algorithm} is not supported yet: only -Z none (or -Z 0) for now",
            ReceiveCommand.CheckUsage(Arguments(compress)));

    [Fact]
    public void An_invalid_specification_is_refused_before_not_supported_yet() =>
        Assert.StartsWith("invalid compression specification:", ReceiveCommand.CheckUsage(Arguments("gzip:10")));
}

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
    [InlineData("gzip:1")]
    [InlineData("5")]
    [InlineData("lz4")]
    [InlineData("lz4:12")]
    [InlineData("zstd")]
    [InlineData("zstd:level=19")]
    public void Every_algorithm_pg_receivewal_names_passes_the_usage_checks(string? compress) => Assert.Null(ReceiveCommand.CheckUsage(Arguments(compress)));

    [Fact]
    public void Zstd_workers_are_refused_with_the_form_that_works() =>
        Assert.Equal("zstd workers are not supported: give -Z zstd[:LEVEL] without workers", ReceiveCommand.CheckUsage(Arguments("zstd:workers=2")));

    [Fact]
    public void An_invalid_specification_is_refused() =>
        Assert.StartsWith("invalid compression specification:", ReceiveCommand.CheckUsage(Arguments("gzip:10")));
}

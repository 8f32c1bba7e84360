using WalReceiver.Cli;

namespace WalReceiver.Tests.Cli;

public sealed class InvokedNameTests
{
    [Theory]
    [InlineData("/usr/local/bin/pg_receivewal", "pg_receivewal")]
    [InlineData("pg_receivewal", "pg_receivewal")]
    [InlineData("./walreceiver", "walreceiver")]
    [InlineData("dotnet", "dotnet")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Takes_the_file_name_of_argv0(string? argv0, string expected) => Assert.Equal(expected, InvokedName.FromArgv0(argv0));

    [Fact]
    public void The_test_host_is_not_taken_for_pg_receivewal() => Assert.NotEqual("pg_receivewal", InvokedName.Current());
}

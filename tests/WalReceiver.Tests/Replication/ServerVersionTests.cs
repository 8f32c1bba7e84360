using WalReceiver.Diagnostics;
using WalReceiver.Replication;

namespace WalReceiver.Tests.Replication;

public sealed class ServerVersionTests
{
    [Theory]
    [InlineData("9.6")]
    [InlineData("9.3")]
    public void Servers_before_10_are_refused_with_exit_3(string version)
    {
        var e = Assert.Throws<WalReceiverException>(() => NpgsqlWalSource.CheckServerVersion(Version.Parse(version), version));
        Assert.Equal(FailureKind.Configuration, e.Kind);
        Assert.Contains($"incompatible server version {version}", e.Message, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL 10 or later", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0")]
    [InlineData("15.18")]
    [InlineData("19.0")]
    public void Servers_from_10_on_are_accepted(string version) =>
        NpgsqlWalSource.CheckServerVersion(Version.Parse(version), version);
}

using WalReceiver.IntegrationTests.Cli;

namespace WalReceiver.IntegrationTests.Daemon;

/// <summary>A configuration that cannot work exits 3 before connecting, naming the key and the fix.</summary>
public sealed class DaemonConfigurationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static TheoryData<string, string> BadConfigurations => new()
    {
        { """{"WalReceiver": {"Sources": []}}""", "WalReceiver:Sources is empty" },
        { """{"WalReceiver": {"Sources": [{"Name": "a", "ConnectionString": "host=x port=abc", "Directory": "/tmp"}]}}""", "WalReceiver:Sources:0:ConnectionString" },
        { """{"WalReceiver": {"Sources": [{"Name": "a", "ConnectionString": "host=x", "Directory": "/nonexistent-dir"}]}}""", "/nonexistent-dir" },
        { """{"WalReceiver": {"Sources": [{"Name": "a", "ConnectionString": "host=x", "Directory": "/tmp"}, {"Name": "a", "ConnectionString": "host=y", "Directory": "/tmp"}]}}""", "used twice" },
        { """{"WalReceiver": {"Sources": [{"Name": "a", "ConnectionString": "host=x", "Directory": "/tmp"}, {"Name": "b", "ConnectionString": "host=y", "Directory": "/tmp/"}]}}""", "is also the directory of source \"a\"" },
        { """{"WalReceiver": {"Sources": [{"Name": "a b", "ConnectionString": "host=x", "Directory": "/tmp"}]}}""", "WalReceiver:Sources:0:Name" },
        { """{"WalReceiver": {"Sources": [{"Name": "a", "ConnectionString": "host=x", "Directory": "/tmp", "Slot": "Bad-Slot"}]}}""", "WalReceiver:Sources:0:Slot" },
        { """{"WalReceiver": {"Sources": [{"Name": "a", "ConnectionString": "host=x", "Directory": "/tmp"}], "Http": {"Url": "nope"}}}""", "WalReceiver:Http:Url" },
        { """{"WalReceiver": """, "cannot read the configuration" },
        { """{"WalReceiver": {"Sources": [{"Name": "a", "ConnectionString": "host=x", "Directory": "/tmp", "Compression": "brotli"}]}}""", "WalReceiver:Sources:0: unrecognized compression algorithm: \"brotli\"" },
        { """{"WalReceiver": {"Sources": [{"Name": "a", "ConnectionString": "host=x", "Directory": "/tmp", "Compression": "gzip:10"}]}}""", "between 1 and 9" },
        { """{"WalReceiver": {"Sources": [{"Name": "a", "ConnectionString": "host=x", "Directory": "/tmp"}], "Otlp": {"Endpoint": "collector:4318"}}}""", "WalReceiver:Otlp:Endpoint" },
    };

    [Theory]
    [MemberData(nameof(BadConfigurations))]
    public async Task Bad_configuration_exits_3_naming_the_key(string json, string expected)
    {
        var dir = CliTestSupport.CreateDirectory(Path.GetTempPath(), "daemon-config");
        try
        {
            var config = Path.Combine(dir, "appsettings.json");
            await File.WriteAllTextAsync(config, json, TestContext.Current.CancellationToken);
            var (code, stderr) = await ReceiverProcess.RunAsync(["run", "--config", config], Timeout);
            Assert.True(code == 3, $"exit code {code}, stderr:\n{stderr}");
            Assert.Contains(expected, stderr, StringComparison.Ordinal);
        }
        finally
        {
            CliTestSupport.DeleteDirectory(dir);
        }
    }

    [Fact]
    public async Task Missing_configuration_file_exits_3_naming_it()
    {
        var (code, stderr) = await ReceiverProcess.RunAsync(["run", "--config", "/nonexistent/appsettings.json"], Timeout);
        Assert.True(code == 3, $"exit code {code}, stderr:\n{stderr}");
        Assert.Contains("/nonexistent/appsettings.json", stderr, StringComparison.Ordinal);
    }
}

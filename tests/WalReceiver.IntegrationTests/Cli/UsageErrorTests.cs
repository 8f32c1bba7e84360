using System.Text.RegularExpressions;

namespace WalReceiver.IntegrationTests.Cli;

/// <summary>
/// Command lines that are wrong in themselves: the real process exits 2 with an error and a hint, before any connection
/// (no server is needed, and none is reachable at the default address in CI).
/// </summary>
public sealed class UsageErrorTests : IDisposable
{
    private const string DirectoryPlaceholder = "{dir}";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly string _directory = CliTestSupport.CreateDirectory(Path.GetTempPath(), "walreceiver-usage");

    public void Dispose() => CliTestSupport.DeleteDirectory(_directory);

    [Theory]
    [InlineData("no target directory", "receive")]
    [InlineData("--create-slot together with --drop-slot", "receive", "--create-slot", "--drop-slot", "-S", "x")]
    [InlineData("--slot", "receive", "--create-slot")]
    [InlineData("--slot", "receive", "--drop-slot")]
    [InlineData("--synchronous together with --no-sync", "receive", "--synchronous", "--no-sync", "-D", DirectoryPlaceholder)]
    [InlineData("\"foo\"", "receive", "-E", "foo", "-D", DirectoryPlaceholder)]
    [InlineData("status-interval", "receive", "-s", "-1", "-D", DirectoryPlaceholder)]
    [InlineData("status-interval", "receive", "-s", "9999999", "-D", DirectoryPlaceholder)]
    [InlineData("--no-such-option", "receive", "-D", DirectoryPlaceholder, "--no-such-option")]
    [InlineData("'extra'", "receive", "-D", DirectoryPlaceholder, "extra")]
    [InlineData("\"Bad-Name\"", "receive", "-S", "Bad-Name", "-D", DirectoryPlaceholder)]
    public async Task Wrong_command_line_exits_2_with_an_error_and_a_hint(string expected, params string[] args)
    {
        var (code, stderr) = await ReceiverProcess.RunAsync(args.Select(a => a == DirectoryPlaceholder ? _directory : a), CommandTimeout);

        Assert.True(code == 2, $"exit code {code}, stderr:\n{stderr}");
        AssertErrorThenHint(stderr);
        Assert.Contains(expected, stderr);
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public async Task Malformed_conninfo_exits_2_with_an_error_and_a_hint()
    {
        var (code, stderr) = await ReceiverProcess.RunAsync(["receive", "-d", "host=x port=abc", "-D", _directory], CommandTimeout);

        Assert.True(code == 2, $"exit code {code}, stderr:\n{stderr}");
        AssertErrorThenHint(stderr);
        Assert.Contains("\"abc\"", stderr);
    }

    [Fact]
    public async Task Malformed_conninfo_error_never_shows_the_password()
    {
        var (code, stderr) = await ReceiverProcess.RunAsync(
            ["receive", "-d", "host=x password=sekret port=abc", "-D", _directory], CommandTimeout);

        Assert.True(code == 2, $"exit code {code}, stderr:\n{stderr}");
        Assert.Contains("walreceiver: error:", stderr);
        Assert.DoesNotContain("sekret", stderr);
    }

    [Fact]
    public async Task Receive_help_exits_0_and_lists_the_main_options()
    {
        await using var process = ReceiverProcess.Start(["receive", "--help"]);

        var code = await process.WaitForExitAsync(CommandTimeout);

        Assert.True(code == 0, $"exit code {code}, stderr:\n{process.Stderr}");
        Assert.Contains("--directory", process.Stdout);
        Assert.Contains("--slot", process.Stdout);
        Assert.Contains("--endpos", process.Stdout);
        Assert.DoesNotContain("error", process.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("-V")]
    [InlineData("receive", "-V")]
    [InlineData("receive", "--version")]
    public async Task Version_exits_0_and_prints_a_version_number(params string[] args)
    {
        await using var process = ReceiverProcess.Start(args);

        var code = await process.WaitForExitAsync(CommandTimeout);

        Assert.True(code == 0, $"exit code {code}, stderr:\n{process.Stderr}");
        Assert.Matches(new Regex(@"^\d+\.\d+", RegexOptions.None, TimeSpan.FromSeconds(1)), process.Stdout.Trim());
    }

    private static void AssertErrorThenHint(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length >= 2, $"expected an error line and a hint line, got:\n{stderr}");
        Assert.StartsWith("walreceiver: error:", lines[0]);
        Assert.StartsWith("walreceiver: hint:", lines[^1]);
    }
}

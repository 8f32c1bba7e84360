using WalReceiver.Cli.Commands.PgReceivewal;

namespace WalReceiver.Tests.Cli;

/// <summary>The pg_receivewal persona's command line, run in process: only paths that end before any connection.</summary>
public sealed class PgReceivewalCommandTests
{
    private const string Hint = "pg_receivewal: hint: Try \"pg_receivewal --help\" for more information.";

    private static async Task<(int Code, string Stdout, string Stderr)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PgReceivewalCommand.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("-V")]
    public async Task Version_goes_to_stdout_as_name_product_version(string option)
    {
        var (code, stdout, stderr) = await InvokeAsync(option, "--ignored");

        Assert.Equal(0, code);
        Assert.Matches(@"^pg_receivewal \(WalReceiver\) \d+\.\d+\.\d+\r?\n$", stdout);
        Assert.Empty(stderr);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-?")]
    public async Task Help_lists_the_options_in_pg_receivewal_layout(string option)
    {
        var (code, stdout, stderr) = await InvokeAsync(option);

        Assert.Equal(0, code);
        Assert.Empty(stderr);
        Assert.Contains("Usage:\n  pg_receivewal [OPTION]...\n", stdout.ReplaceLineEndings("\n"));
        Assert.Contains("  -D, --directory=DIR    receive write-ahead log files into this directory", stdout);
        Assert.Contains("      --no-sync          ", stdout);
        Assert.Contains("  -Z, --compress=METHOD[:DETAIL]\n                         compress as specified", stdout.ReplaceLineEndings("\n"));
        Assert.Contains("Connection options:", stdout);
        Assert.Contains("      --create-slot      ", stdout);
    }

    [Theory]
    [InlineData("invalid compression specification: compression algorithm \"none\" does not accept a compression level", "-D", "/archive", "--compress", "none:1")]
    [InlineData("unrecognized compression algorithm: \"foo\"", "-D", "/archive", "-Z", "foo")]
    [InlineData("invalid compression specification: compression algorithm \"lz4\" expects a compression level between 1 and 12 (default at 0)", "-D", "/archive", "-Z", "lz4:13")]
    [InlineData("unrecognized option '--not-a-valid-option'", "--not-a-valid-option")]
    [InlineData("unrecognized option '--help'", "-D", "/archive", "--help")]
    [InlineData("too many command-line arguments (first is \"extra\")", "-D", "/archive", "extra")]
    [InlineData("no target directory specified", "-n")]
    [InlineData("cannot use --create-slot together with --drop-slot", "--create-slot", "--drop-slot", "-S", "x")]
    public async Task Usage_errors_speak_as_pg_receivewal_and_exit_2(string message, params string[] args)
    {
        var (code, stdout, stderr) = await InvokeAsync(args);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        var lines = stderr.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("pg_receivewal: error: " + message, lines[0]);
        Assert.Equal(Hint, lines[1]);
    }
}

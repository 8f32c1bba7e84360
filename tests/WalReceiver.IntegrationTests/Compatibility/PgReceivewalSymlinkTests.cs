using System.Globalization;
using System.Text.RegularExpressions;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;

namespace WalReceiver.IntegrationTests.Compatibility;

/// <summary>
/// The real binary started through a symlink named <c>pg_receivewal</c>, as a user installs it: it must speak as
/// pg_receivewal (name, message and log forms, --help and --version) and keep WalReceiver's exit codes.
/// </summary>
public sealed class PgReceivewalSymlinkTests(SharedCluster shared) : IDisposable
{
    private const string Hint = "pg_receivewal: hint: Try \"pg_receivewal --help\" for more information.";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly string _directory = CliTestSupport.CreateDirectory(Path.GetTempPath(), "pg_receivewal-symlink");

    /// <summary>An empty archive directory.</summary>
    private string Archive => Directory.CreateDirectory(Path.Combine(_directory, "archive")).FullName;

    /// <summary><c>DIR/bin/pg_receivewal</c>, a symlink to the built CLI.</summary>
    private string Symlink
    {
        get
        {
            var path = Path.Combine(Directory.CreateDirectory(Path.Combine(_directory, "bin")).FullName, "pg_receivewal");
            if (!File.Exists(path))
                File.CreateSymbolicLink(path, ReceiverProcess.Executable);
            return path;
        }
    }

    public void Dispose() => CliTestSupport.DeleteDirectory(_directory);

    [Fact]
    public async Task Version_prints_name_product_and_version_on_stdout_and_exits_0()
    {
        await using var process = ReceiverProcess.StartAs(Symlink, ["--version"]);

        var code = await process.WaitForExitAsync(Timeout);

        Assert.Equal(0, code);
        Assert.Matches(new Regex(@"^pg_receivewal \(WalReceiver\) \d+\.\d+\.\d+$", RegexOptions.None, TimeSpan.FromSeconds(1)), process.Stdout.Trim());
        Assert.Empty(process.Stderr);
    }

    [Fact]
    public async Task Help_prints_pg_receivewal_usage_on_stdout_and_exits_0()
    {
        await using var process = ReceiverProcess.StartAs(Symlink, ["--help"]);

        var code = await process.WaitForExitAsync(Timeout);

        Assert.Equal(0, code);
        Assert.Contains("  pg_receivewal [OPTION]...", process.Stdout, StringComparison.Ordinal);
        Assert.Contains("  -D, --directory=DIR", process.Stdout, StringComparison.Ordinal);
        Assert.Contains("      --create-slot", process.Stdout, StringComparison.Ordinal);
        Assert.Empty(process.Stderr);
    }

    [Theory]
    [InlineData("invalid compression specification: compression algorithm \"none\" does not accept a compression level", "--compress", "none:1")]
    [InlineData("cannot use --synchronous together with --no-sync", "--synchronous", "--no-sync")]
    [InlineData("unrecognized option '--not-a-valid-option'", "--not-a-valid-option")]
    public async Task Usage_error_speaks_as_pg_receivewal_and_exits_2(string message, params string[] args)
    {
        var (code, stderr) = await RunAsync(["-D", Archive, .. args]);

        Assert.True(code == 2, $"exit code {code}, stderr:\n{stderr}");
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["pg_receivewal: error: " + message, Hint], lines);
    }

    [Fact]
    public async Task Streaming_logs_in_postgres_tool_form_and_stops_at_endpos()
    {
        var cluster = shared.Cluster;
        await using var run = await ArchiveRun.StartAsync(cluster, "persona");
        var end = await cluster.GenerateWalAsync(100, switchWal: false);

        var (code, stderr) = await RunAsync(
            ["-D", run.Directory, "-S", run.Slot, "-n", "-v", "-E", end.ToString(), .. ReceiverProcess.ConnectionArgs(cluster)]);

        Assert.True(code == 0, $"exit code {code}, stderr:\n{stderr}");
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.All(lines, l => Assert.StartsWith("pg_receivewal: ", l, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("pg_receivewal: starting log streaming at ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("pg_receivewal: debug: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Missing_slot_is_an_error_in_pg_receivewal_words_with_our_configuration_exit_code()
    {
        var cluster = shared.Cluster;
        var slot = CliTestSupport.UniqueName("nonexistentslot");

        var (code, stderr) = await RunAsync(["-D", Archive, "-S", slot, "-n", "--no-sync", .. ReceiverProcess.ConnectionArgs(cluster)]);

        Assert.True(code == 3, $"exit code {code}, stderr:\n{stderr}");
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"pg_receivewal: error: replication slot \"{slot}\" does not exist"), stderr, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Stderr)> RunAsync(string[] args)
    {
        await using var process = ReceiverProcess.StartAs(Symlink, args);
        var code = await process.WaitForExitAsync(Timeout);
        return (code, process.Stderr);
    }
}

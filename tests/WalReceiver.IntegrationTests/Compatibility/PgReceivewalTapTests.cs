using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;

namespace WalReceiver.IntegrationTests.Compatibility;

/// <summary>
/// PostgreSQL 15's own test of pg_receivewal (020_pg_receivewal.pl, fetched from Debian's source package at run time)
/// against the built CLI behind a pg_receivewal symlink, through scripts/pg_receivewal_tap.sh. The script fails on any
/// failure outside its allow-list; this test also pins the pass count, so a run that tested less, or an allowed
/// failure that starts passing, is noticed and the count updated on purpose.
/// </summary>
[Collection(nameof(PgReceivewalTapCollection))]
public sealed partial class PgReceivewalTapTests
{
    /// <summary>The test's plan in PostgreSQL 15.</summary>
    private const int Planned = 42;

    /// <summary>
    /// All but the one allowed failure, --create-slot's restart_lsn (deliberate; see the script's allow-list). The gzip
    /// and lz4 blocks count: a missing gzip or lz4 command makes the test skip a check, which lowers this count too.
    /// </summary>
    private const int ExpectedPassed = 41;

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task PostgreSQL_15s_own_pg_receivewal_test_passes_except_for_the_allowed_failures()
    {
        Prerequisites.Require(ProcessRunner.IsRoot, "root: scripts/pg_receivewal_tap.sh installs packages with apt-get and runs the test as postgres");
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var a in new[] { Path.Combine(RepositoryPaths.Root, "scripts", "pg_receivewal_tap.sh"), "--program", ReceiverProcess.Executable })
            info.ArgumentList.Add(a);
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);

        var (code, stdout, stderr) = await RunAsync(info);

        TestContext.Current.TestOutputHelper?.WriteLine(stdout);
        var missing = stderr.Split('\n').FirstOrDefault(l => l.StartsWith("prerequisite missing:", StringComparison.Ordinal));
        if (code == 2 && missing is not null)
            Prerequisites.Require(false, missing);
        Assert.True(code == 0, $"pg_receivewal_tap.sh exited {code}\n{Tail(stdout)}\n{stderr}");
        var result = ResultLine().Match(stdout);
        Assert.True(result.Success, $"no result line in the harness output:\n{Tail(stdout)}");
        int Count(string name) => int.Parse(result.Groups[name].Value, CultureInfo.InvariantCulture);
        Assert.Equal(Planned, Count("planned"));
        Assert.Equal(Planned, Count("run"));
        Assert.Equal(0, Count("unexpected"));
        Assert.True(Count("passed") == ExpectedPassed, $"{Count("passed")} passed, expected {ExpectedPassed}:\n{Tail(stdout)}");
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(ProcessStartInfo info)
    {
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            // A last resort: the script bounds the test itself (5 min) and then stops the clusters it left.
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"pg_receivewal_tap.sh did not finish within {Timeout.TotalMinutes} min");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(40));

    [GeneratedRegex(@"^result: planned=(?<planned>\d+) run=(?<run>\d+) passed=(?<passed>\d+) .*unexpected=(?<unexpected>\d+)", RegexOptions.Multiline)]
    private static partial Regex ResultLine();
}

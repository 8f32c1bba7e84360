using System.Diagnostics;
using System.Globalization;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Faults;

/// <summary>
/// SIGINT and SIGTERM stop the receiver cleanly however it was started: from a shell script in the background (bash
/// starts <c>&amp;</c> jobs with SIGINT ignored) and under <c>timeout</c>. A clean stop means exit 0, the <c>.partial</c>
/// padded and fsynced, and the last position reported to the slot.
/// </summary>
public sealed class SignalTests(SharedCluster shared)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(PosixSignal.Interrupt)]
    [InlineData(PosixSignal.Terminate)]
    public async Task Signal_stops_a_receiver_that_a_shell_script_started_in_the_background(int signal)
    {
        var cluster = shared.Cluster;
        await using var run = await ArchiveRun.StartAsync(cluster, $"bg{signal}");
        var work = CliTestSupport.CreateDirectory(cluster.WorkDirectory, "bg");
        var (pid, log, rc) = (Path.Combine(work, "pid"), Path.Combine(work, "stderr"), Path.Combine(work, "rc"));
        // How CI jobs and init scripts start it: "prog &" in a non-interactive shell. The sleep is a witness that this shell
        // really starts background jobs with SIGINT ignored.
        var script = $"\"{ReceiverProcess.Executable}\" receive -D \"{run.Directory}\" -S {run.Slot} {string.Join(' ', ReceiverProcess.ConnectionArgs(cluster))} " +
            $"-v 2>\"{log}\" & echo $! >\"{pid}\"; sleep 300 & echo $! >\"{pid}.witness\"; wait %1; echo $? >\"{rc}\"; kill %2";
        using var shell = StartShell(script, run.ApplicationName);
        try
        {
            await CliTestSupport.WaitUntilAsync(() => Task.FromResult(File.Exists(pid + ".witness") && File.Exists(log)
                && File.ReadAllText(log).Contains("starting log streaming", StringComparison.Ordinal)), Timeout, () => "the receiver to stream");
            Assert.True(IgnoresSigint(int.Parse(File.ReadAllText(pid + ".witness"), CultureInfo.InvariantCulture)),
                "precondition: bash should start background jobs with SIGINT ignored");
            var end = await cluster.GenerateWalAsync(500, switchWal: false);
            await run.WaitForFlushAsync(end, Timeout);

            ReceiverProcess.Signal(int.Parse(File.ReadAllText(pid), CultureInfo.InvariantCulture), signal);
            await CliTestSupport.WaitUntilAsync(() => Task.FromResult(File.Exists(rc) && File.ReadAllText(rc).Trim().Length > 0), Timeout,
                () => $"the receiver to exit after signal {signal}; stderr:\n{(File.Exists(log) ? File.ReadAllText(log) : "")}");
            Assert.True(File.ReadAllText(rc).Trim() == "0", $"exit code {File.ReadAllText(rc).Trim()}, stderr:\n{File.ReadAllText(log)}");
            Assert.Contains("stopped log streaming", File.ReadAllText(log), StringComparison.Ordinal);

            // Other tests switch segments on the shared cluster, so the stop may fall on a segment end: at most one .partial,
            // padded to the segment size.
            var partials = Directory.GetFiles(run.Directory, "*.partial");
            Assert.True(partials.Length <= 1, string.Join(", ", partials));
            Assert.All(partials, p => Assert.Equal(cluster.WalSegmentSize, new FileInfo(p).Length));
            var restart = Lsn.Parse((await cluster.QueryScalarAsync<string>($"select restart_lsn::text from pg_replication_slots where slot_name = '{run.Slot}'"))!);
            Assert.True(restart >= end, $"slot restart_lsn {restart} is behind the flushed end {end}: the last status was not sent");
            await ArchiveAssert.MatchesServerAsync(cluster, run.Directory, minimumComplete: 0);
        }
        finally
        {
            if (!shell.HasExited)
                shell.Kill(entireProcessTree: true);
            CliTestSupport.DeleteDirectory(work);
        }
    }

    [Fact]
    public async Task Sigint_from_timeout_stops_the_receiver_cleanly()
    {
        var cluster = shared.Cluster;
        await using var run = await ArchiveRun.StartAsync(cluster, "timeout");
        await cluster.GenerateWalAsync(500, switchWal: false);
        var work = CliTestSupport.CreateDirectory(cluster.WorkDirectory, "timeout");
        var (log, rc) = (Path.Combine(work, "stderr"), Path.Combine(work, "rc"));
        // timeout(1) sends SIGINT after 5 s and, with --preserve-status, exits with the receiver's own status.
        var script = $"timeout --preserve-status -s INT 5 \"{ReceiverProcess.Executable}\" receive -D \"{run.Directory}\" -S {run.Slot} " +
            $"{string.Join(' ', ReceiverProcess.ConnectionArgs(cluster))} -v 2>\"{log}\"; echo $? >\"{rc}\"";
        using var shell = StartShell(script, run.ApplicationName);
        try
        {
            await CliTestSupport.WaitUntilAsync(() => Task.FromResult(File.Exists(rc) && File.ReadAllText(rc).Trim().Length > 0), Timeout,
                () => "timeout and the receiver to finish");
            Assert.True(File.ReadAllText(rc).Trim() == "0", $"exit code {File.ReadAllText(rc).Trim()}, stderr:\n{File.ReadAllText(log)}");
            Assert.Contains("stopped log streaming", File.ReadAllText(log), StringComparison.Ordinal);
            Assert.All(Directory.GetFiles(run.Directory, "*.partial"), p => Assert.Equal(cluster.WalSegmentSize, new FileInfo(p).Length));
        }
        finally
        {
            if (!shell.HasExited)
                shell.Kill(entireProcessTree: true);
            CliTestSupport.DeleteDirectory(work);
        }
    }

    private static Process StartShell(string script, string applicationName)
    {
        var info = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);
        info.Environment["PGAPPNAME"] = applicationName;
        return Process.Start(info)!;
    }

    // SigIgn in /proc/PID/status is a hex mask; SIGINT (2) is bit 1.
    private static bool IgnoresSigint(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return (ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0x2) != 0;
    }
}

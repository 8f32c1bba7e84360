using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace WalReceiver.IntegrationTests.Cli;

/// <summary>
/// <c>walreceiver</c> run as a real child process (the apphost built next to the tests), so signals, exit codes and
/// stderr are exactly what a user sees.
/// </summary>
public sealed partial class ReceiverProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();

    private ReceiverProcess(Process process) => _process = process;

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Everything written to stderr so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
                return _stderr.ToString();
        }
    }

    /// <summary>Everything written to stdout so far.</summary>
    public string Stdout
    {
        get
        {
            lock (_stdout)
                return _stdout.ToString();
        }
    }

    /// <summary>
    /// The path of the built CLI, or of another build named by WALRECEIVER_TEST_EXECUTABLE (to show that a test fails
    /// against an older release, or to test a published single file).
    /// </summary>
    public static string Executable => Environment.GetEnvironmentVariable("WALRECEIVER_TEST_EXECUTABLE") is { Length: > 0 } other
        ? other
        : Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "walreceiver.exe" : "walreceiver");

    /// <summary>Starts <c>walreceiver ARGS</c> with a clean libpq environment plus <paramref name="environment"/>.</summary>
    public static ReceiverProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        StartAs(Executable, args, environment);

    /// <summary>As <see cref="Start"/>, through another path to the CLI (a symlink whose name picks a persona).</summary>
    public static ReceiverProcess StartAs(string executable, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);
        if (environment is not null)
        {
            foreach (var (k, v) in environment)
                info.Environment[k] = v;
        }

        var process = new Process { StartInfo = info };
        var r = new ReceiverProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (r._stderr)
                r._stderr.AppendLine(e.Data);
        };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (r._stdout)
                r._stdout.AppendLine(e.Data);
        };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return r;
    }

    /// <summary>The standard connection arguments for <paramref name="cluster"/>.</summary>
    public static string[] ConnectionArgs(PostgresCluster cluster) =>
        ["-h", cluster.Host, "-p", cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", cluster.SuperUser];

    /// <summary>Runs to completion and returns the exit code (fails the test after <paramref name="timeout"/>).</summary>
    public static async Task<(int ExitCode, string Stderr)> RunAsync(IEnumerable<string> args, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var p = Start(args, environment);
        var code = await p.WaitForExitAsync(timeout);
        return (code, p.Stderr);
    }

    /// <summary>Waits for the process to exit and returns its exit code; throws on timeout (the process is then killed).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"walreceiver did not exit within {timeout.TotalSeconds} s. stderr:\n{Stderr}");
        }

        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    /// <summary>Waits until stderr contains <paramref name="text"/> (polls; the process's output is the server state here).</summary>
    public async Task WaitForStderrAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Stderr.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"walreceiver exited ({_process.ExitCode}) before printing \"{text}\". stderr:\n{Stderr}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"walreceiver did not print \"{text}\" within {timeout.TotalSeconds} s. stderr:\n{Stderr}");
            await Task.Delay(50);
        }
    }

    /// <summary>Writes <paramref name="text"/> to the process's standard input (a password typed at a prompt).</summary>
    public async Task WriteStdinAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Sends a POSIX signal (2 = SIGINT, 15 = SIGTERM, 9 = SIGKILL).</summary>
    public void Signal(int signal) => Signal(_process.Id, signal);

    /// <summary>Sends a POSIX signal to any process (one started by a shell script, say).</summary>
    public static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

using System.Diagnostics;

namespace WalReceiver.Testing;

/// <summary>
/// A postmaster run as a child of the test process rather than daemonized by pg_ctl start.
/// </summary>
/// <remarks>
/// pg_ctl start orphans the postmaster. Where PID 1 reaps orphans late (about a second on the project's
/// machines) or never, a killed postmaster lingers as a zombie whose PID makes postmaster.pid look alive, and
/// starting again after <see cref="PostgresCluster.KillAsync"/> fails. As our child it is reaped at once.
/// Its stdout/stderr go to server.log; every server process inherits them, so their end of file means
/// the last backend has exited and the data directory is free for the next start.
/// </remarks>
internal sealed class PostmasterProcess(Process process, StreamWriter log) : IDisposable
{
    private readonly Lock _logLock = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether the postmaster (or runuser around it) has exited.</summary>
    public bool HasExited => process.HasExited;

    /// <summary>Starts postgres -D <paramref name="dataDirectory"/>, appending its output to <paramref name="logPath"/>.</summary>
    public static PostmasterProcess Start(string binDirectory, string dataDirectory, string logPath)
    {
        var info = ProcessRunner.CreateStartInfo(
            Path.Combine(binDirectory, "postgres"), ["-D", dataDirectory], asServerAccount: true, Path.GetDirectoryName(logPath));
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        var postmaster = new PostmasterProcess(process, log);
        process.OutputDataReceived += (_, e) => postmaster.OnLine(e.Data, postmaster._stdoutClosed);
        process.ErrorDataReceived += (_, e) => postmaster.OnLine(e.Data, postmaster._stderrClosed);
        try
        {
            process.Start();
        }
        catch
        {
            postmaster.Dispose();
            throw;
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return postmaster;
    }

    /// <summary>Waits until the postmaster and every server process have exited; false on timeout.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Last resort when a graceful stop failed: SIGKILL the postmaster and whatever it started.</summary>
    public void Kill() => ProcessRunner.TryKill(process);

    /// <inheritdoc/>
    public void Dispose()
    {
        process.Dispose();
        lock (_logLock)
        {
            log.Dispose();
        }
    }

    private void OnLine(string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        lock (_logLock)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The cluster was disposed while a backend was still writing; its last words are lost.
            }
        }
    }
}

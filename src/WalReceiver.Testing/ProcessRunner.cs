using System.Diagnostics;
using System.Globalization;

namespace WalReceiver.Testing;

/// <summary>Runs external programs with captured output and a deadline.</summary>
internal static class ProcessRunner
{
    /// <summary>The OS account PostgreSQL's programs run as when the tests run as root.</summary>
    public const string ServerAccount = "postgres";

    /// <summary>Default deadline for one program run; pg_basebackup of a small cluster is the slowest.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    /// <summary>initdb and postgres refuse to run as root, so as root everything goes through runuser.</summary>
    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>
    /// Builds a start info for <paramref name="fileName"/>; with <paramref name="asServerAccount"/> and root,
    /// wrapped in runuser. Output is redirected; the caller must drain it.
    /// </summary>
    public static ProcessStartInfo CreateStartInfo(
        string fileName, IEnumerable<string> args, bool asServerAccount, string? workingDirectory)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // A working directory the server account can enter; otherwise initdb warns about /root.
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        if (asServerAccount && IsRoot)
        {
            info.FileName = "runuser";
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add(ServerAccount);
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(fileName);
        }
        else
        {
            info.FileName = fileName;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The fixture passes host, port and data directory explicitly; stray PG* settings of the
        // developer's shell (PGHOST, PGDATA, PGOPTIONS...) must not leak into the throwaway cluster.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        info.Environment["LC_MESSAGES"] = "C";
        return info;
    }

    /// <summary>Runs a program to completion and returns its stdout; throws with its stderr on a non-zero exit.</summary>
    public static async Task<string> RunAsync(
        string fileName,
        IEnumerable<string> args,
        bool asServerAccount,
        CancellationToken ct,
        string? workingDirectory = null,
        TimeSpan? timeout = null)
    {
        var info = CreateStartInfo(fileName, args, asServerAccount, workingDirectory);
        var commandLine = string.Join(' ', info.ArgumentList.Prepend(info.FileName));
        using var process = new Process { StartInfo = info };
        process.Start();
        process.StandardInput.Close();

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            await Task.WhenAll(stdout, stderr);
        }
        catch (OperationCanceledException)
        {
            TryKill(process);
            if (ct.IsCancellationRequested)
            {
                throw;
            }

            throw new TimeoutException($"'{commandLine}' did not finish within {timeout ?? DefaultTimeout}.");
        }

        var output = await stdout;
        if (process.ExitCode != 0)
        {
            var errors = await stderr;
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture, $"'{commandLine}' exited with {process.ExitCode}: {errors.Trim()} {output.Trim()}"));
        }

        return output;
    }

    /// <summary>Kills a process tree that overran its deadline; it may already be gone.</summary>
    public static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exited between the check and the signal, or not ours to kill.
        }
    }
}

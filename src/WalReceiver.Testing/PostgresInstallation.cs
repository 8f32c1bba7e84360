using System.Diagnostics;
using DotNet.Testcontainers.Configurations;

namespace WalReceiver.Testing;

/// <summary>Finds what the fixture can run on: local PostgreSQL binaries and a Docker engine. Each is probed once.</summary>
internal static class PostgresInstallation
{
    private static readonly Lazy<string?> BinDirectoryProbe = new(ProbeBinDirectory);
    private static readonly Lazy<bool> DockerProbe = new(ProbeDocker);
    private static readonly Lazy<bool> ServerAccountProbe = new(ProbeServerAccount);

    /// <summary>The directory holding initdb, pg_ctl, postgres..., or null when there is none.</summary>
    public static string? BinDirectory => BinDirectoryProbe.Value;

    /// <summary>Whether Testcontainers found a Docker engine that answers.</summary>
    public static bool DockerAvailable => DockerProbe.Value;

    /// <summary>Says what is missing for <paramref name="options"/>, or null when a cluster can be started.</summary>
    public static string? FindMissingPrerequisite(PostgresClusterOptions options)
    {
        if (options.UseDocker == true)
        {
            return DockerAvailable ? null : "a Docker engine (PostgresClusterOptions.UseDocker is true)";
        }

        if (options.UseDocker is null && DockerAvailable)
        {
            return null;
        }

        if (BinDirectory is null)
        {
            return "PostgreSQL server binaries (initdb, postgres, pg_ctl: install the postgresql package) or a Docker engine";
        }

        if (ProcessRunner.IsRoot && !ServerAccountProbe.Value)
        {
            return $"an OS account '{ProcessRunner.ServerAccount}' to run the server as, since initdb refuses root";
        }

        return null;
    }

    private static string? ProbeBinDirectory()
    {
        // pg_config knows the installation it belongs to; on Debian it is a wrapper that may point at
        // a version without server binaries, so every candidate is checked for initdb.
        var candidates = new List<string>();
        try
        {
            var output = ProcessRunner.RunAsync("pg_config", ["--bindir"], asServerAccount: false, CancellationToken.None,
                timeout: TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            candidates.Add(output.Trim());
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException)
        {
            // No pg_config; fall back to PATH and the Debian layout.
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            // Newest major version first.
            candidates.AddRange(Directory.GetDirectories(debianRoot)
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : -1)
                .Select(d => Path.Combine(d, "bin")));
        }

        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "postgres")));
    }

    private static bool ProbeDocker()
    {
        try
        {
            // Testcontainers' own auto-detection: null unless an endpoint was found and answered.
            return TestcontainersSettings.OS.DockerEndpointAuthConfig is not null;
        }
#pragma warning disable CA1031 // Any failure of the probe means "no Docker", never a test failure.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    private static bool ProbeServerAccount()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("id", ["-u", ProcessRunner.ServerAccount])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null || !process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

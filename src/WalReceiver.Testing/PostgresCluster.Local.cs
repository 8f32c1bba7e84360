using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WalReceiver.Testing;

/// <summary>The local-binaries half: initdb, a postmaster child process, pg_ctl stop/promote, pg_basebackup.</summary>
public sealed partial class PostgresCluster
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    private int _localPort;
    private PostmasterProcess? _postmaster;

    /// <summary>
    /// Makes a streaming standby of this cluster with pg_basebackup -R, on its own port and socket directory,
    /// and starts it. The caller disposes it.
    /// </summary>
    public async Task<PostgresCluster> CreateStandbyAsync(CancellationToken ct = default)
    {
        if (!IsLocal)
        {
            throw new NotSupportedException("Standbys are made from local clusters only: pg_basebackup needs the data on this machine.");
        }

        var standby = new PostgresCluster(Options, await CreateRootDirectoryAsync(ct), FindFreePort(), container: null);
        try
        {
            await standby.RunProgramAsync(
                "pg_basebackup",
                [
                    "-h", Host, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", SuperUser,
                    "-D", standby.DataDirectory!, "-R", "-X", "stream", "-c", "fast", "--no-sync",
                ],
                ct);

            // The copied postgresql.conf carries the primary's port and socket directory; postgresql.auto.conf
            // is read after it, so these lines win.
            await File.AppendAllTextAsync(
                Path.Combine(standby.DataDirectory!, "postgresql.auto.conf"), standby.EndpointSettings(), ct);
            await standby.StartLocalServerAsync(ct);
            return standby;
        }
        catch
        {
            await standby.DisposeAsync();
            throw;
        }
    }

    private static async Task<PostgresCluster> StartLocalAsync(PostgresClusterOptions options, CancellationToken ct)
    {
        var cluster = new PostgresCluster(options, await CreateRootDirectoryAsync(ct), FindFreePort(), container: null);
        try
        {
            await cluster.RunProgramAsync(
                "initdb",
                [
                    "-D", cluster.DataDirectory!, "-U", cluster.SuperUser, "-A", "trust", "--no-sync", "-E", "UTF8",
                    // The C locale keeps server messages and sorting the same on every machine.
                    "--no-locale",
                    string.Create(CultureInfo.InvariantCulture, $"--wal-segsize={options.WalSegmentSizeMb}"),
                    .. options.AllowGroupAccess ? ["--allow-group-access"] : Array.Empty<string>(),
                ],
                ct);
            await File.AppendAllTextAsync(
                Path.Combine(cluster.DataDirectory!, "postgresql.conf"), cluster.ServerSettings(options.ExtraConfig), ct);
            await File.AppendAllTextAsync(
                Path.Combine(cluster.DataDirectory!, "pg_hba.conf"),
                "\nhost replication all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 trust\n",
                ct);

            // The free port is only free until someone else binds it; on a clash take another.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await cluster.StartLocalServerAsync(ct);
                    return cluster;
                }
                catch (InvalidOperationException) when (attempt < 3 && cluster.ReadLogTail().Contains("already in use", StringComparison.Ordinal))
                {
                    cluster._localPort = FindFreePort();
                    await File.AppendAllTextAsync(Path.Combine(cluster.DataDirectory!, "postgresql.conf"), cluster.EndpointSettings(), ct);
                }
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>A temp directory the server account can traverse and own things in.</summary>
    private static async Task<string> CreateRootDirectoryAsync(CancellationToken ct)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Local clusters need a Unix machine; use Docker elsewhere.");
        }

        var root = Directory.CreateTempSubdirectory("walreceiver-it-").FullName;
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        if (ProcessRunner.IsRoot)
        {
            // initdb/pg_basebackup (as postgres) create data/ here, and the server puts its socket here.
            await ProcessRunner.RunAsync("chown", [ProcessRunner.ServerAccount, root], asServerAccount: false, ct);
        }

        return root;
    }

    private static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private string EndpointSettings() => string.Create(
        CultureInfo.InvariantCulture,
        $"\nlisten_addresses = '127.0.0.1'\nport = {_localPort}\nunix_socket_directories = {Quote(_rootDirectory)}\n");

    private string ServerSettings(string? extraConfig)
    {
        var settings = new StringBuilder(EndpointSettings())
            .Append("wal_level = replica\n")
            .Append("max_wal_senders = 20\n")
            .Append("max_replication_slots = 20\n")
            .Append("wal_sender_timeout = 10s\n")
            // fsync only guards against OS crashes; WAL bytes are the same without it, and a SIGKILLed
            // server loses nothing the page cache holds. It saves a flush per commit and checkpoint.
            .Append("fsync = off\n")
            .Append("synchronous_commit = on\n")
            .Append("shared_buffers = 32MB\n")
            .Append("max_wal_size = 256MB\n")
            .Append("wal_keep_size = 0\n")
            .Append("log_min_messages = warning\n")
            .Append("logging_collector = off\n");
        if (!string.IsNullOrEmpty(extraConfig))
        {
            settings.Append(extraConfig).Append('\n');
        }

        return settings.ToString();
    }

    private async Task StartLocalServerAsync(CancellationToken ct)
    {
        if (_postmaster is { HasExited: false })
        {
            throw new InvalidOperationException("The server is already running.");
        }

        _postmaster?.Dispose();
        var pidFile = Path.Combine(DataDirectory!, "postmaster.pid");
        var stalePidFile = TryReadAllText(pidFile);
        _postmaster = PostmasterProcess.Start(BinDirectory, DataDirectory!, ServerLogPath!);

        // What pg_ctl start -w does: wait for a postmaster.pid written by this postmaster whose status
        // line (the 8th) says it accepts connections. A stale file from a killed server does not count.
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartupTimeout)
        {
            var content = TryReadAllText(pidFile);
            if (content is not null && content != stalePidFile)
            {
                var lines = content.Split('\n');
                if (lines.Length >= 8 && lines[7].Trim() is "ready" or "standby")
                {
                    return;
                }
            }

            if (_postmaster.HasExited)
            {
                // Let the last log lines arrive before quoting them.
                await _postmaster.WaitForExitAsync(ExitTimeout, ct);
                throw new InvalidOperationException($"postgres exited during startup; {ServerLogPath} ends with:\n{ReadLogTail()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
        }

        throw new TimeoutException($"postgres was not ready within {StartupTimeout}; {ServerLogPath} ends with:\n{ReadLogTail()}");
    }

    private async Task StopLocalAsync(string mode, CancellationToken ct)
    {
        await RunProgramAsync("pg_ctl", ["stop", "-D", DataDirectory!, "-m", mode, "-w", "-t", "60"], ct);
        await WaitForServerExitAsync(ct);
    }

    private async Task KillLocalAsync(CancellationToken ct)
    {
        var lines = await File.ReadAllLinesAsync(Path.Combine(DataDirectory!, "postmaster.pid"), ct);
        var pid = int.Parse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture);
        using (var process = Process.GetProcessById(pid))
        {
            process.Kill();
        }

        await WaitForServerExitAsync(ct);
    }

    /// <summary>Waits until the postmaster and its children are gone, so the next start finds a free data directory.</summary>
    private async Task WaitForServerExitAsync(CancellationToken ct)
    {
        if (_postmaster is null)
        {
            return;
        }

        if (!await _postmaster.WaitForExitAsync(ExitTimeout, ct))
        {
            throw new TimeoutException($"Server processes were still running {ExitTimeout} after the postmaster stopped.");
        }

        _postmaster.Dispose();
        _postmaster = null;
    }

    /// <summary>For DisposeAsync: immediate stop, then SIGKILL if that failed.</summary>
    private async Task ShutDownLocalAsync()
    {
        if (_postmaster is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(ExitTimeout * 2);
        if (!_postmaster.HasExited)
        {
            try
            {
                await RunProgramAsync("pg_ctl", ["stop", "-D", DataDirectory!, "-m", "immediate", "-w", "-t", "20"], timeout.Token);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or OperationCanceledException)
            {
                _postmaster.Kill();
            }
        }

        await _postmaster.WaitForExitAsync(ExitTimeout, timeout.Token);
        _postmaster.Dispose();
        _postmaster = null;
    }

    private string ReadLogTail()
    {
        var text = TryReadAllText(ServerLogPath!) ?? string.Empty;
        return text.Length <= 4000 ? text : text[^4000..];
    }

    private static string? TryReadAllText(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }
    }
}

using System.Globalization;
using Npgsql;
using Testcontainers.PostgreSql;

namespace WalReceiver.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster ready for physical replication (wal_level replica, wal senders and slots, a replication
/// line in pg_hba.conf), for tests: local binaries (initdb + postgres in a temp directory) or, when asked or when a Docker
/// engine answers, a postgres:15 container. Dispose removes everything.
/// </summary>
public sealed partial class PostgresCluster : IAsyncDisposable
{
    private const string DatabaseName = "postgres";

    private readonly string _rootDirectory;
    private readonly PostgreSqlContainer? _container;
    private bool _disposed;

    private PostgresCluster(PostgresClusterOptions options, string rootDirectory, int localPort, PostgreSqlContainer? container)
    {
        Options = options;
        _rootDirectory = rootDirectory;
        _localPort = localPort;
        _container = container;
        Directory.CreateDirectory(WorkDirectory);
        if (ProcessRunner.IsRoot && !OperatingSystem.IsWindows())
        {
            // Server programs run as postgres and may write here too (pg_receivewal as a reference).
            File.SetUnixFileMode(WorkDirectory, (UnixFileMode)0b111_111_111);
        }
    }

    /// <summary>The directory holding initdb, postgres, pg_basebackup... (pg_config --bindir, else PATH).</summary>
    public static string BinDirectory => PostgresInstallation.BinDirectory
        ?? throw new InvalidOperationException("No PostgreSQL binaries found (pg_config --bindir, PATH, /usr/lib/postgresql/*/bin).");

    /// <summary>The options this cluster was made with.</summary>
    public PostgresClusterOptions Options { get; }

    /// <summary>Where clients connect: 127.0.0.1 locally, the Docker host for a container.</summary>
    public string Host => _container?.Hostname ?? "127.0.0.1";

    /// <summary>The TCP port; a container's mapped port can change when it is started again.</summary>
    public int Port => _container?.GetMappedPublicPort(PostgreSqlBuilder.PostgreSqlPort) ?? _localPort;

    /// <summary>The superuser, also the user replication connects as.</summary>
    public string SuperUser { get; } = "postgres";

    /// <summary>The superuser's password: null locally (trust), the container's password otherwise.</summary>
    public string? Password => _container is null ? null : DockerPassword;

    /// <summary>The data directory; null for a container.</summary>
    public string? DataDirectory => IsLocal ? Path.Combine(_rootDirectory, "data") : null;

    /// <summary>The server's log file; null for a container.</summary>
    public string? ServerLogPath => IsLocal ? Path.Combine(_rootDirectory, "server.log") : null;

    /// <summary>A scratch directory for archives, deleted with the cluster; writable by the server account too.</summary>
    public string WorkDirectory => Path.Combine(_rootDirectory, "work");

    /// <summary>Npgsql connection string for ordinary SQL as the superuser.</summary>
    public string ConnectionString => BuildConnectionString(DatabaseName);

    /// <summary>
    /// The same server as a libpq connection string (<c>host=... port=... user=...</c>): what <c>walreceiver -d</c>,
    /// psql, pg_basebackup and <c>WalArchiveReceiverOptions.ConnectionString</c> take.
    /// </summary>
    public string LibpqConnectionString => string.Create(CultureInfo.InvariantCulture, $"host={Host} port={Port} user={SuperUser}")
        + (Password is null ? string.Empty : $" password={Password}");

    /// <summary>Npgsql connection string for a PhysicalReplicationConnection (no database: physical replication has none).</summary>
    public string ReplicationConnectionString => BuildConnectionString(database: null);

    /// <summary>The WAL segment size in bytes.</summary>
    public int WalSegmentSize => Options.WalSegmentSizeMb * 1024 * 1024;

    /// <summary>True for a cluster run from local binaries, false for a container.</summary>
    public bool IsLocal => _container is null;

    /// <summary>Says what a cluster with <paramref name="options"/> lacks on this machine, or null when it can start.</summary>
    public static string? FindMissingPrerequisite(PostgresClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return PostgresInstallation.FindMissingPrerequisite(options);
    }

    /// <summary>Makes and starts a cluster: from local binaries, or a container when asked or when a Docker engine answers.</summary>
    /// <exception cref="PostgresUnavailableException">Neither PostgreSQL's server binaries nor a Docker engine are here.</exception>
    /// <exception cref="InvalidOperationException">The cluster was made but did not start; the message quotes the server's log.</exception>
    public static async Task<PostgresCluster> StartAsync(PostgresClusterOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var size = options.WalSegmentSizeMb;
        if (size is < 1 or > 1024 || (size & (size - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), size, "WalSegmentSizeMb must be a power of two from 1 to 1024.");
        }

        if (FindMissingPrerequisite(options) is { } missing)
        {
            throw new PostgresUnavailableException($"No PostgreSQL cluster can be started here: missing {missing}.");
        }

        return options.UseDocker ?? PostgresInstallation.DockerAvailable
            ? await StartDockerAsync(options, ct)
            : await StartLocalAsync(options, ct);
    }

    /// <summary>Runs <paramref name="sql"/> and returns the first column of the first row, converted to <typeparamref name="T"/>.</summary>
    public async Task<T?> QueryScalarAsync<T>(string sql, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return ConvertScalar<T>(await command.ExecuteScalarAsync(ct));
    }

    /// <summary>Runs <paramref name="sql"/>, which may hold several statements separated by semicolons.</summary>
    public async Task ExecuteAsync(string sql, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Reads a file of pg_wal through SQL, so it works for a container too.</summary>
    public async Task<byte[]> ReadWalFileAsync(string fileName, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        if (fileName.Contains('/', StringComparison.Ordinal) || fileName.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException("Expected a bare file name inside pg_wal.", nameof(fileName));
        }

        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand("select pg_read_binary_file('pg_wal/' || $1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = fileName });
        return (byte[])(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The names of the regular files in pg_wal (segments, .history, .partial), sorted.</summary>
    public async Task<string[]> ListWalFilesAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand("select name from pg_ls_waldir() order by name", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var names = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            names.Add(reader.GetString(0));
        }

        return [.. names];
    }

    /// <summary>Runs a PostgreSQL program from <see cref="BinDirectory"/> (as postgres when root); returns stdout.</summary>
    /// <exception cref="InvalidOperationException">The program exited non-zero; the message holds its stderr.</exception>
    public Task<string> RunProgramAsync(string program, IEnumerable<string> args, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        var path = Path.IsPathRooted(program) ? program : Path.Combine(BinDirectory, program);
        return ProcessRunner.RunAsync(path, args, asServerAccount: true, ct, workingDirectory: _rootDirectory);
    }

    /// <summary>Stops the server (pg_ctl stop -m <paramref name="mode"/>: smart, fast or immediate; a container ignores it).</summary>
    public Task StopAsync(string mode = "fast", CancellationToken ct = default) =>
        IsLocal ? StopLocalAsync(mode, ct) : _container!.StopAsync(ct);

    /// <summary>Starts the server again after a stop or kill, on the same port (a container may get a new one).</summary>
    public Task StartServerAsync(CancellationToken ct = default) =>
        IsLocal ? StartLocalServerAsync(ct) : _container!.StartAsync(ct);

    /// <summary>Stops and starts the server.</summary>
    public async Task RestartAsync(string mode = "fast", CancellationToken ct = default)
    {
        await StopAsync(mode, ct);
        await StartServerAsync(ct);
    }

    /// <summary>SIGKILLs the postmaster, as a crash would, and waits until all server processes are gone.</summary>
    public Task KillAsync(CancellationToken ct = default) => IsLocal ? KillLocalAsync(ct) : KillDockerAsync(ct);

    /// <summary>Promotes a standby made by <see cref="CreateStandbyAsync"/> (pg_ctl promote -w).</summary>
    public async Task PromoteAsync(CancellationToken ct = default)
    {
        if (!IsLocal)
        {
            throw new NotSupportedException("Standbys exist only for local clusters.");
        }

        await RunProgramAsync("pg_ctl", ["promote", "-D", DataDirectory!, "-w", "-t", "60"], ct);
    }

    /// <summary>Stops the server immediately and deletes its directories; never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (_container is not null)
            {
                await _container.DisposeAsync();
            }
            else
            {
                await ShutDownLocalAsync();
            }
        }
#pragma warning disable CA1031 // Disposal must not hide the test's own outcome.
        catch (Exception)
        {
        }

        try
        {
            Directory.Delete(_rootDirectory, recursive: true);
        }
        catch (Exception)
        {
            // Left in the temp directory; harmless.
        }
#pragma warning restore CA1031
    }

    private static T? ConvertScalar<T>(object? value)
    {
        if (value is null or DBNull)
        {
            return default;
        }

        if (value is T typed)
        {
            return typed;
        }

        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return target == typeof(string)
            ? (T)(object)Convert.ToString(value, CultureInfo.InvariantCulture)!
            : (T)Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private string BuildConnectionString(string? database)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Username = SuperUser,
            Password = Password,
            // Servers are stopped, killed and restarted under the tests' feet; pooled connections would go stale.
            Pooling = false,
            Timeout = 15,
        };
        if (database is not null)
        {
            builder.Database = database;
        }

        return builder.ConnectionString;
    }
}

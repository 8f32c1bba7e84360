using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WalReceiver.Diagnostics;
using WalReceiver.Replication;
using WalReceiver.Replication.ConnectionStrings;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Hosting;

/// <summary>
/// A WAL receiver inside your own process: it streams a server's WAL into an archive directory exactly as
/// <c>walreceiver receive</c> does (the same streaming loop, fsync rules and record checks), and lets you wait until a
/// position is on disk and read back what arrived.
/// </summary>
/// <example>
/// <code>
/// await using var receiver = await WalArchiveReceiver.StartAsync(new() { ConnectionString = "host=127.0.0.1 user=postgres" });
/// // ... write something on the server, then ask it for pg_current_wal_lsn() ...
/// await receiver.WaitForFlushAsync(lsn);
/// var commits = receiver.Archive.ReadRecords().Count(r => r.ResourceManagerName == "Transaction");
/// </code>
/// </example>
public sealed class WalArchiveReceiver : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SourceState _state;
    private readonly Task<RunOutcome> _run;
    private readonly string? _temporaryDirectory;
    private TaskCompletionSource _changed = NewSignal();
    private int _disposed;

    private WalArchiveReceiver(WalReceiverOptions options, IWalSourceFactory sources, ILogger logger, string? temporaryDirectory)
    {
        _temporaryDirectory = temporaryDirectory;
        Archive = new WalArchive(options.Directory);
        _state = new SourceState(options.Name, TimeProvider.System);
        _state.Changed += Signal;
        _run = Task.Run(() => HostlessRun.RunAsync(options, sources, logger, HostlessRun.ShutdownTimeout, _stop.Token, _state));
        _run.ContinueWith(_ => Signal(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The archive being written; read it at any time.</summary>
    public WalArchive Archive { get; }

    /// <summary>The end of the WAL that is on the archive's disk (fsynced): what the receiver reports to the server as flushed.</summary>
    public Lsn FlushedLsn => _state.Flushed;

    /// <summary>Whether the receiver has ended: stopped, reached <see cref="WalArchiveReceiverOptions.EndLsn"/>, or failed.</summary>
    public bool HasEnded => _run.IsCompleted;

    /// <summary>
    /// Connects, starts streaming (creating the slot if asked) and returns once WAL is being received, or once the stream
    /// has already ended at <see cref="WalArchiveReceiverOptions.EndLsn"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The options are wrong (a malformed connection string, compression, end position); the message says which and how to fix it.</exception>
    /// <exception cref="WalReceiverException">The stream could not start (connection, authentication, slot, directory); <see cref="WalReceiverException.Kind"/> says which kind of failure.</exception>
    public static async Task<WalArchiveReceiver> StartAsync(WalArchiveReceiverOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.ConnectionString, nameof(options));
        var temporary = options.Directory is null ? System.IO.Directory.CreateTempSubdirectory("walreceiver-").FullName : null;
        WalReceiverOptions run;
        try
        {
            run = ToRunOptions(options, temporary ?? System.IO.Directory.CreateDirectory(options.Directory!).FullName);
        }
        catch (ConnectionInfoException e)
        {
            DeleteQuietly(temporary);
            throw new ArgumentException(e.Message, nameof(options), e);
        }

        if (HostlessRun.Validate(run) is { Count: > 0 } problems)
        {
            DeleteQuietly(temporary);
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        if (options.LoggerFactory is { } loggerFactory)
            NpgsqlLogging.Initialize(loggerFactory);
        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("WalReceiver");
        var receiver = new WalArchiveReceiver(run, ServiceCollectionExtensions.NpgsqlSources(run), logger, temporary);
        try
        {
            await receiver.WaitUntilAsync(() => receiver._state.Status == SourceStatus.Streaming, cancellationToken);
            if (receiver._run.IsCompleted)
                ThrowIfFailed(await receiver._run);
            return receiver;
        }
        catch
        {
            await receiver.DisposeAsync();
            throw;
        }
    }

    /// <summary>Returns once the archive holds, fsynced, all WAL before <paramref name="lsn"/> (typically a <c>pg_current_wal_lsn()</c> taken after a commit).</summary>
    /// <exception cref="WalReceiverException">The receiver failed before getting there.</exception>
    /// <exception cref="InvalidOperationException">The receiver ended (stopped, or its end position came first) before getting there.</exception>
    public async Task WaitForFlushAsync(Lsn lsn, CancellationToken cancellationToken = default)
    {
        await WaitUntilAsync(() => _state.Flushed >= lsn, cancellationToken);
        if (_state.Flushed >= lsn)
            return;
        ThrowIfFailed(await _run);
        throw new InvalidOperationException($"the receiver ended at {_state.Flushed}, before {lsn}");
    }

    /// <summary>
    /// Stops streaming: what arrived is written and fsynced (the segment in progress stays as <c>.partial</c>) and its
    /// flush reported, as <c>walreceiver receive</c> does on SIGINT. Calling it again does nothing.
    /// </summary>
    /// <exception cref="WalReceiverException">The receiver had failed, or the stop could not fsync what arrived.</exception>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _stop.CancelAsync();
        ThrowIfFailed(await _run.WaitAsync(cancellationToken));
    }

    /// <summary>Stops (without throwing) and, when the archive was a temporary directory, deletes it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            await _stop.CancelAsync();
            await _run;
        }
#pragma warning disable CA1031 // Disposal reports nothing; StopAsync is the way to learn how the run ended.
        catch (Exception)
        {
        }
#pragma warning restore CA1031
        finally
        {
            _state.Changed -= Signal;
            _stop.Dispose();
        }

        DeleteQuietly(_temporaryDirectory);
    }

    // The connection string is read as the daemon reads its sources' (libpq's rules, PGHOST and the like for what it omits).
    private static WalReceiverOptions ToRunOptions(WalArchiveReceiverOptions options, string directory) => new()
    {
        Name = "library",
        ConnectionString = ReplicationConnectionString.Build(
            new ConnectionSettings(options.ConnectionString, null, null, null, null, NoPassword: true, DefaultApplicationName: ApplicationNames.Default),
            Environment.GetEnvironmentVariable),
        Directory = directory,
        Slot = options.SlotName,
        CreateMissingSlot = options.SlotName is not null && options.CreateSlot,
        Synchronous = options.Synchronous,
        Compression = options.Compression,
        EndPosition = options.EndLsn?.ToString(),
        NoLoop = !options.Reconnect,
    };

    private static void ThrowIfFailed(RunOutcome outcome)
    {
        if (outcome.Kind != FailureKind.None)
            throw new WalReceiverException(outcome.Kind, outcome.Message ?? "the receiver failed");
        if (outcome.StopFailed)
            throw new WalReceiverException(FailureKind.Transient, "the receiver could not stop cleanly: what arrived last may not be on disk");
    }

    private static void DeleteQuietly(string? temporaryDirectory)
    {
        if (temporaryDirectory is null)
            return;
        try
        {
            System.IO.Directory.Delete(temporaryDirectory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left in the temp directory; harmless.
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Wakes every wait; each then checks its own condition. A wait takes the signal before it checks, so a change that
    // lands between its check and its await is never missed.
    private void Signal() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    private async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = Volatile.Read(ref _changed);
            if (condition() || _run.IsCompleted)
                return;
            await changed.Task.WaitAsync(cancellationToken);
        }
    }
}

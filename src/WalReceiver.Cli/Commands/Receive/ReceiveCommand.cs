using WalReceiver.Cli.Logging;
using WalReceiver.Diagnostics;
using WalReceiver.Hosting;
using WalReceiver.Replication;
using WalReceiver.Replication.ConnectionStrings;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Cli.Commands.Receive;

/// <summary>What <c>walreceiver receive</c> does: check the command line, run a slot action, or run the streaming service.</summary>
internal static class ReceiveCommand
{
    /// <summary>The largest <c>-s</c> pg_receivewal accepts (INT_MAX milliseconds in seconds).</summary>
    public const int MaxStatusInterval = 2147483;

    /// <summary>Runs the verb, speaking as <paramref name="persona"/>, and returns the process exit code.</summary>
    public static async Task<int> RunAsync(ReceiveArguments a, ProgramPersona persona, TextWriter error, CancellationToken cancellationToken)
    {
        if (CheckUsage(a) is { } usage)
        {
            await error.WriteLineAsync(persona.Error(usage));
            await error.WriteLineAsync(persona.Hint);
            return ExitCodes.Usage;
        }

        string connectionString;
        try
        {
            var password = a.Password ? PasswordPrompt.Read(error) : null;
            connectionString = ReplicationConnectionString.Build(
                new ConnectionSettings(a.DbName, a.Host, a.Port, a.UserName, password, a.NoPassword), Environment.GetEnvironmentVariable);
        }
        catch (ConnectionInfoException e)
        {
            await error.WriteLineAsync(persona.Error(e.Message));
            await error.WriteLineAsync(persona.Hint);
            return ExitCodes.Usage;
        }

        try
        {
            if (a.CreateSlot)
            {
                var created = await SlotCommands.CreateAsync(connectionString, a.Slot!, a.IfNotExists, cancellationToken);
                if (a.Verbose || !created)
                    await error.WriteLineAsync(persona.Info(created ? $"creating replication slot \"{a.Slot}\"" : $"replication slot \"{a.Slot}\" already exists"));
                return ExitCodes.Success;
            }

            if (a.DropSlot)
            {
                if (a.Verbose)
                    await error.WriteLineAsync(persona.Info($"dropping replication slot \"{a.Slot}\""));
                await SlotCommands.DropAsync(connectionString, a.Slot!, cancellationToken);
                return ExitCodes.Success;
            }
        }
        catch (WalReceiverException e)
        {
            await error.WriteLineAsync(persona.Error(e.Message));
            return ExitCodes.For(e.Kind);
        }

        return await StreamAsync(a, persona, connectionString, error);
    }

    // Without the generic host (see HostlessRun): the same supervisor, options and validation; the host was 12 of 30 ms.
    private static async Task<int> StreamAsync(ReceiveArguments a, ProgramPersona persona, string connectionString, TextWriter error)
    {
        var options = new WalReceiverOptions
        {
            Directory = a.Directory ?? "",
            ConnectionString = connectionString,
            Slot = a.Slot,
            EndPosition = a.EndPosition,
            NoLoop = a.NoLoop,
            NoSync = a.NoSync,
            Synchronous = a.Synchronous,
            Verbose = a.Verbose,
            LogProgress = a.Verbose,
            CreateMissingSlot = WalReceiverOptions.FollowsFailover(connectionString),
            StatusInterval = TimeSpan.FromSeconds(a.StatusInterval),
            ReceiveTimeout = TimeSpan.FromSeconds(a.ReceiveTimeout),
            Compression = a.Compress ?? "none",
            Verify = !a.NoVerify,
            Trace = a.Trace,
            Target = a.Target,
            Endpoint = a.Endpoint,
            Durability = a.Durability == "uploaded" ? DurabilityMode.Uploaded : DurabilityMode.Local,
            KeepLocal = a.KeepLocal,
        };
        if (HostlessRun.Validate(options) is { Count: > 0 } failures)
        {
            foreach (var failure in failures)
                await error.WriteLineAsync(persona.Error(failure));
            return ExitCodes.Configuration;
        }

        using var loggerFactory = ConsoleLogging.CreateFactory(a.Verbose,
            persona.ToolLogFormat ? new PgToolConsoleFormatter(persona.Name) : new PlainConsoleFormatter());
        using var stop = new StopSignals(gracePeriod: null); // the run bounds its own stop (HostlessRun.ShutdownTimeout)
        var outcome = await HostlessRun.RunAsync(options, loggerFactory, stop.Token);
        return ExitCodes.For(outcome.Kind);
    }

    /// <summary>pg_receivewal's checks, in its order; returns the message of the first that fails.</summary>
    internal static string? CheckUsage(ReceiveArguments a)
    {
        if (a.CreateSlot && a.DropSlot)
            return "cannot use --create-slot together with --drop-slot";
        if ((a.CreateSlot || a.DropSlot) && string.IsNullOrEmpty(a.Slot))
            return $"{(a.CreateSlot ? "--create-slot" : "--drop-slot")} needs a slot to be specified using --slot";
        if (a.Synchronous && a.NoSync)
            return "cannot use --synchronous together with --no-sync";
        if (a.NoPassword && a.Password)
            return "cannot use --no-password together with --password";
        if (a.Slot is { } slot && !ReplicationSlotName.IsValid(slot))
            return $"invalid replication slot name \"{slot}\": use 1 to 63 lower-case letters, digits and underscores";
        if (!a.CreateSlot && !a.DropSlot && string.IsNullOrEmpty(a.Directory))
            return "no target directory specified: give one with -D/--directory";
        if (a.EndPosition is { } e && !Lsn.TryParse(e, out _))
            return $"could not parse end position \"{e}\": use an LSN such as 0/3000060";
        if (a.StatusInterval is < 0 or > MaxStatusInterval)
            return $"-s/--status-interval must be in range 0..{MaxStatusInterval}";
        if (a.ReceiveTimeout is < 0 or > MaxStatusInterval)
            return $"--receive-timeout must be in range 0..{MaxStatusInterval} (seconds; 0 waits forever)";
        if (a.Compress is { } z)
        {
            if (!CompressionSpecification.TryParse(z, out var compression, out var error))
                return error;
            if (compression.Workers is > 0)
                return "zstd workers are not supported: give -Z zstd[:LEVEL] without workers";
        }

        return null;
    }
}

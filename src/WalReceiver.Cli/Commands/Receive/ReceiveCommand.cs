using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WalReceiver.Cli.Logging;
using WalReceiver.Diagnostics;
using WalReceiver.Hosting;
using WalReceiver.Replication;
using WalReceiver.Replication.ConnectionStrings;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Cli.Commands.Receive;

/// <summary>What <c>walreceiver receive</c> does: check the command line, run a slot action, or host the streaming service.</summary>
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

    private static async Task<int> StreamAsync(ReceiveArguments a, ProgramPersona persona, string connectionString, TextWriter error)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{WalReceiverOptions.Section}:{nameof(WalReceiverOptions.Directory)}"] = a.Directory,
            [$"{WalReceiverOptions.Section}:{nameof(WalReceiverOptions.ConnectionString)}"] = connectionString,
            [$"{WalReceiverOptions.Section}:{nameof(WalReceiverOptions.Slot)}"] = a.Slot,
            [$"{WalReceiverOptions.Section}:{nameof(WalReceiverOptions.EndPosition)}"] = a.EndPosition,
            [$"{WalReceiverOptions.Section}:{nameof(WalReceiverOptions.NoLoop)}"] = a.NoLoop.ToString(),
            [$"{WalReceiverOptions.Section}:{nameof(WalReceiverOptions.NoSync)}"] = a.NoSync.ToString(),
            [$"{WalReceiverOptions.Section}:{nameof(WalReceiverOptions.Synchronous)}"] = a.Synchronous.ToString(),
            [$"{WalReceiverOptions.Section}:{nameof(WalReceiverOptions.Verbose)}"] = a.Verbose.ToString(),
            [$"{WalReceiverOptions.Section}:{nameof(WalReceiverOptions.LogProgress)}"] = a.Verbose.ToString(),
            // With several hosts the archiver follows a failover, so it re-creates the slot where it is missing.
            [$"{WalReceiverOptions.Section}:{nameof(WalReceiverOptions.CreateMissingSlot)}"] =
                (ReplicationConnectionString.SplitHosts(connectionString).Count > 1).ToString(),
            [$"{WalReceiverOptions.Section}:{nameof(WalReceiverOptions.StatusInterval)}"] =
                TimeSpan.FromSeconds(a.StatusInterval).ToString("c", CultureInfo.InvariantCulture),
            [$"{WalReceiverOptions.Section}:{nameof(WalReceiverOptions.ReceiveTimeout)}"] =
                TimeSpan.FromSeconds(a.ReceiveTimeout).ToString("c", CultureInfo.InvariantCulture),
            [$"{WalReceiverOptions.Section}:{nameof(WalReceiverOptions.Compression)}"] = a.Compress ?? "none",
            [$"{WalReceiverOptions.Section}:{nameof(WalReceiverOptions.Verify)}"] = (!a.NoVerify).ToString(),
        });
        if (persona.ToolLogFormat)
            ConsoleLogging.ConfigureAsPgTool(builder.Logging, a.Verbose, persona.Name);
        else
            ConsoleLogging.Configure(builder.Logging, a.Verbose);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddWalReceiver();
        using var host = builder.Build();
        var outcome = host.Services.GetRequiredService<RunOutcome>(); // RunAsync disposes the host's services
        try
        {
            await host.RunAsync();
        }
        catch (OptionsValidationException e)
        {
            foreach (var failure in e.Failures)
                await error.WriteLineAsync(persona.Error(failure));
            return ExitCodes.Configuration;
        }

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

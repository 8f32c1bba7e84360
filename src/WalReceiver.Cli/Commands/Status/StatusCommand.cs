using System.CommandLine;
using Microsoft.Extensions.Configuration;
using WalReceiver.Cli.Commands.Receive;
using WalReceiver.Diagnostics;
using WalReceiver.Hosting;
using WalReceiver.Replication;
using WalReceiver.Replication.ConnectionStrings;

namespace WalReceiver.Cli.Commands.Status;

/// <summary>What <c>walreceiver status</c> does.</summary>
internal static class StatusCommand
{
    /// <summary>Prints the status of one connection, or of every source in a configuration file.</summary>
    public static async Task<int> RunAsync(ParseResult p, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        List<StatusTarget> targets;
        try
        {
            targets = p.GetValue(StatusCommandDefinition.Config) is { } config ? FromConfig(config) : [FromOptions(p)];
        }
        catch (Exception e) when (e is ConnectionInfoException or InvalidDataException or FileNotFoundException)
        {
            await error.WriteLineAsync($"walreceiver: error: {e.Message}");
            return ExitCodes.Usage;
        }

        var results = new List<(StatusTarget Target, ServerStatus Status)>();
        try
        {
            foreach (var t in targets)
                results.Add((t, await ServerStatusReader.ReadAsync(t.ConnectionString, t.Slot, t.ApplicationName, cancellationToken)));
        }
        catch (WalReceiverException e)
        {
            await error.WriteLineAsync($"walreceiver: error: {e.Message}");
            return ExitCodes.For(e.Kind);
        }

        if (p.GetValue(StatusCommandDefinition.Json))
            await output.WriteLineAsync(StatusPrinter.Json(results));
        else
            await output.WriteAsync(StatusPrinter.Text(results));
        return ExitCodes.Success;
    }

    private static StatusTarget FromOptions(ParseResult p)
    {
        var conninfo = p.GetValue(ReceiveCommandDefinition.DbName);
        var replication = ReplicationConnectionString.Build(new ConnectionSettings(conninfo, p.GetValue(ReceiveCommandDefinition.Host),
            p.GetValue(ReceiveCommandDefinition.Port), p.GetValue(ReceiveCommandDefinition.UserName), null, true), Environment.GetEnvironmentVariable);
        return new StatusTarget(null, Sql(replication, conninfo), p.GetValue(StatusCommandDefinition.Slot),
            p.GetValue(StatusCommandDefinition.ApplicationName), p.GetValue(StatusCommandDefinition.Directory));
    }

    private static List<StatusTarget> FromConfig(FileInfo config)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(config.FullName, optional: false).AddEnvironmentVariables().Build();
        var daemon = new DaemonOptions();
        configuration.GetSection(WalReceiverOptions.Section).Bind(daemon);
        return [.. daemon.Sources.Select(s => new StatusTarget(s.Name, Sql(SourceOptions.ToReceiverOptions(s, Environment.GetEnvironmentVariable).ConnectionString,
            s.ConnectionString), s.Slot, s.Slot is null ? ApplicationNames.ForSource(s.Name) : null, s.Directory))];
    }

    private static string Sql(string replicationConnectionString, string? conninfo) =>
        ReplicationConnectionString.ForSql(replicationConnectionString, conninfo, Environment.GetEnvironmentVariable);
}

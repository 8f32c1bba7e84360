using System.CommandLine;
using System.CommandLine.Help;
using WalReceiver.Cli.Commands.Inspect;
using WalReceiver.Cli.Commands.LsnVerb;
using WalReceiver.Cli.Commands.Pitr;
using WalReceiver.Cli.Commands.Receive;
using WalReceiver.Cli.Commands.Restore;
using WalReceiver.Cli.Commands.Run;
using WalReceiver.Cli.Commands.Status;
using WalReceiver.Cli.Commands.Verify;

namespace WalReceiver.Cli;

/// <summary>The root command: verbs, and help and version options that leave <c>-h</c> free for the host (as in PostgreSQL's tools).</summary>
internal static class CliRoot
{
    /// <summary>Builds the command tree.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("WalReceiver: a PostgreSQL WAL archiver (a drop-in for pg_receivewal).");
        for (var i = 0; i < root.Options.Count; i++)
        {
            root.Options[i] = root.Options[i] switch
            {
                HelpOption => new HelpOption("--help", "-?"),
                VersionOption => new VersionOption("--version", "-V"),
                var o => o,
            };
        }

        root.Subcommands.Add(ReceiveCommandDefinition.Create());
        root.Subcommands.Add(RunCommandDefinition.Create());
        root.Subcommands.Add(StatusCommandDefinition.Create());
        root.Subcommands.Add(VerifyCommandDefinition.Create());
        root.Subcommands.Add(RestoreCommandDefinition.Create());
        root.Subcommands.Add(InspectCommandDefinition.Create());
        root.Subcommands.Add(LsnCommandDefinition.Create());
        root.Subcommands.Add(PitrCommandDefinition.Create());
        return root;
    }

    /// <summary>Parses and runs; usage errors print a hint and return <see cref="ExitCodes.Usage"/>.</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error)
    {
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
                await error.WriteLineAsync($"walreceiver: error: {e.Message}");
            // restore_command's program: a mistyped option must stop recovery, not read as "not in the archive" (2 would).
            if (parse.CommandResult.Command.Name == RestoreCommandDefinition.Name)
            {
                await error.WriteLineAsync("walreceiver: hint: Try \"walreceiver restore --help\" for more information.");
                return RestoreExitCodes.Fatal;
            }

            await error.WriteLineAsync("walreceiver: hint: Try \"walreceiver --help\" (or \"walreceiver receive --help\") for more information.");
            return ExitCodes.Usage;
        }

        // receive (StopSignals) and run (the host) own SIGINT and SIGTERM and need time for a last fsync: no forced exit.
        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null });
    }
}

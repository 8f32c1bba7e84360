using System.CommandLine;
using WalReceiver.Cli.Commands.Receive;

namespace WalReceiver.Cli.Commands.PgReceivewal;

/// <summary>
/// The syntax of the program started as <c>pg_receivewal</c>: the receive verb's options at the top level, with no
/// subcommands, directives or response files (pg_receivewal has none: <c>-D @dir</c> names a directory).
/// </summary>
internal static class PgReceivewalCommandDefinition
{
    /// <summary>Parser settings: pg_receivewal reads <c>@file</c> as a plain argument.</summary>
    public static ParserConfiguration ParserConfiguration { get; } = new() { ResponseFileTokenReplacer = null };

    /// <summary>Assembles the command. Help and version are not options here: like pg_receivewal, they count only as the first argument.</summary>
    public static Command Create()
    {
        var command = new Command(PgReceivewalCommand.Name, PgReceivewalHelp.Synopsis);
        foreach (var o in ReceiveCommandDefinition.AllOptions)
            command.Options.Add(o);
        command.SetAction((parse, cancellationToken) =>
            ReceiveCommand.RunAsync(ReceiveArguments.From(parse), ProgramPersona.PgReceivewal, parse.InvocationConfiguration.Error, cancellationToken));
        return command;
    }
}

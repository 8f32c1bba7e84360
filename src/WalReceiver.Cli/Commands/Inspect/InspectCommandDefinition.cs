using System.CommandLine;

namespace WalReceiver.Cli.Commands.Inspect;

/// <summary>The syntax of <c>walreceiver inspect</c>: list the page headers and records of WAL segment files.</summary>
internal static class InspectCommandDefinition
{
    public static readonly Argument<string> Path = new("FILE|DIR")
    {
        Description = "a segment file (plain, .gz, .lz4 or .zst, complete or .partial) or an archive directory (every segment in it)",
    };

    public static readonly Option<bool> RecordsOnly = new("--records") { Description = "list records only, not page headers" };

    public static readonly Option<bool> Json = new("--json") { Description = "print one JSON document for scripts" };

    /// <summary>Assembles the command.</summary>
    public static Command Create()
    {
        var command = new Command("inspect",
            "List WAL segment files' page headers and records (LSN, length, previous record, resource manager, info, xid, CRC), " +
            "as pg_waldump reads them. Exit 0 when every record read is whole and its CRC matches, 1 when not, 2 on bad input.");
        command.Arguments.Add(Path);
        command.Options.Add(RecordsOnly);
        command.Options.Add(Json);
        command.SetAction(parse => InspectCommand.Run(parse, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }
}

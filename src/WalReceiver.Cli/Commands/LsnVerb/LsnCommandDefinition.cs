using System.CommandLine;

namespace WalReceiver.Cli.Commands.LsnVerb;

/// <summary>The syntax of <c>walreceiver lsn</c>: LSN and WAL file name arithmetic, as PostgreSQL's functions do it.</summary>
internal static class LsnCommandDefinition
{
    public static readonly Argument<string[]> Values = new("LSN|FILE")
    {
        Description = "an LSN (its file and offset), a WAL file name (its LSNs), or two LSNs (their difference in bytes)",
        Arity = new ArgumentArity(1, 2),
    };

    public static readonly Option<uint?> Timeline = new("--timeline")
    {
        Description = "the timeline of the file an LSN is in (default 1)",
        HelpName = "TLI",
    };

    public static readonly Option<string> SegmentSize = new("--wal-segsize")
    {
        Description = "the cluster's WAL segment size, in MB as initdb takes it or as SHOW wal_segment_size prints it (default 16MB)",
        HelpName = "SIZE",
    };

    public static readonly Option<bool> Json = new("--json") { Description = "print one JSON document for scripts" };

    /// <summary>Assembles the command.</summary>
    public static Command Create()
    {
        var command = new Command("lsn",
            "LSN arithmetic without a server: the WAL file and offset of an LSN (pg_walfile_name_offset), the LSNs a WAL file " +
            "covers, or the bytes between two LSNs (pg_wal_lsn_diff). Exit 2 on input that is neither.");
        command.Arguments.Add(Values);
        command.Options.Add(Timeline);
        command.Options.Add(SegmentSize);
        command.Options.Add(Json);
        command.SetAction(parse => LsnCommand.Run(parse, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }
}

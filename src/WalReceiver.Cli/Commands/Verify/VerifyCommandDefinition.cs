using System.CommandLine;

namespace WalReceiver.Cli.Commands.Verify;

/// <summary>The syntax of <c>walreceiver verify</c>: check an archive directory offline.</summary>
internal static class VerifyCommandDefinition
{
    public static readonly Option<string> Directory = new("--directory", "-D")
    {
        Description = "the archive directory to check",
        HelpName = "DIR",
        Required = true,
    };

    public static readonly Option<bool> Json = new("--json") { Description = "print one JSON document for scripts" };

    /// <summary>Assembles the command.</summary>
    public static Command Create()
    {
        var command = new Command("verify",
            "Check an archive: gaps, timeline switches, page headers and record CRCs, manifest hashes, leftover .partial files, " +
            "files of another cluster. Exit 0 when there is no error, 1 when there is.");
        command.Options.Add(Directory);
        command.Options.Add(Json);
        command.SetAction((parse, ct) => VerifyCommand.RunAsync(parse, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct));
        return command;
    }
}

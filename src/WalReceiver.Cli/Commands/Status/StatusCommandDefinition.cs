using System.CommandLine;
using WalReceiver.Cli.Commands.Receive;

namespace WalReceiver.Cli.Commands.Status;

/// <summary>The syntax of <c>walreceiver status</c>: what the server sees of the archiver, and the archive's newest segment.</summary>
internal static class StatusCommandDefinition
{
    public static readonly Option<string?> Directory = new("--directory", "-D") { Description = "the archive directory, to show its newest complete segment" };
    public static readonly Option<string?> Slot = new("--slot", "-S") { Description = "show the walsender using this slot, and the slot", HelpName = "SLOTNAME" };
    public static readonly Option<string?> ApplicationName = new("--application-name") { Description = "show the walsenders with this application_name", HelpName = "NAME" };
    public static readonly Option<FileInfo?> Config = new("--config", "-c") { Description = "show every source of this daemon configuration", HelpName = "FILE" };
    public static readonly Option<bool> Json = new("--json") { Description = "print JSON for scripts" };

    /// <summary>Assembles the command; the connection options are receive's.</summary>
    public static Command Create()
    {
        var command = new Command("status", "Show what the server sees of the archiver: sent/write/flush/replay LSN, lags, slot, retained WAL.");
        foreach (var o in new Option[]
                 {
                     Directory, Slot, ApplicationName, Config, Json, ReceiveCommandDefinition.DbName, ReceiveCommandDefinition.Host,
                     ReceiveCommandDefinition.Port, ReceiveCommandDefinition.UserName, ReceiveCommandDefinition.NoPassword,
                 })
            command.Options.Add(o);
        command.SetAction((parse, ct) => StatusCommand.RunAsync(parse, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct));
        return command;
    }
}

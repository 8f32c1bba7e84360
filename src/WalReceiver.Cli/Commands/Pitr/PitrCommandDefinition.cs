using System.CommandLine;

namespace WalReceiver.Cli.Commands.Pitr;

/// <summary>The syntax of <c>walreceiver pitr</c>: plan a point-in-time recovery from an archive alone.</summary>
internal static class PitrCommandDefinition
{
    public static readonly Option<string> Directory = new("--directory", "-D")
    {
        Description = "the archive directory",
        HelpName = "DIR",
        Required = true,
    };

    public static readonly Option<string> Time = new("--time")
    {
        Description = "recover to this time, with its UTC offset ('2026-11-24 10:00:00+00'): every transaction committed at or before it",
        HelpName = "TIME",
    };

    public static readonly Option<string> Xid = new("--xid") { Description = "recover up to and including this transaction's commit", HelpName = "XID" };

    public static readonly Option<string> Name = new("--name")
    {
        Description = "recover up to this restore point (pg_create_restore_point)",
        HelpName = "NAME",
    };

    public static readonly Option<string> Lsn = new("--lsn") { Description = "recover up to the first record at or after this LSN", HelpName = "LSN" };

    public static readonly Option<uint?> Timeline = new("--timeline")
    {
        Description = "the timeline to recover along (default: the newest in the archive)",
        HelpName = "TLI",
    };

    public static readonly Option<string> StartLsn = new("--start-lsn")
    {
        Description = "where the base backup's replay begins (its backup_label's START WAL LOCATION); default: the archive's first WAL",
        HelpName = "LSN",
    };

    public static readonly Option<string> BackupLabel = new("--backup-label")
    {
        Description = "the base backup's backup_label file, to read where its replay begins",
        HelpName = "FILE",
    };

    /// <summary>Assembles the command.</summary>
    public static Command Create()
    {
        var command = new Command("pitr",
            "Plan a point-in-time recovery from the archive alone: where recovery to the target stops, on which timeline, every " +
            "file it will ask restore_command for (present? verified?), and the settings to give it. Exit 0 when the archive " +
            "reaches the target with every file present and verified, 1 when not, 2 on bad input.");
        command.Options.Add(Directory);
        command.Options.Add(Time);
        command.Options.Add(Xid);
        command.Options.Add(Name);
        command.Options.Add(Lsn);
        command.Options.Add(Timeline);
        command.Options.Add(StartLsn);
        command.Options.Add(BackupLabel);
        command.SetAction(parse => PitrCommand.Run(parse, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }
}

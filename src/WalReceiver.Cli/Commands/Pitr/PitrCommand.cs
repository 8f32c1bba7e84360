using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Cli.Commands.Pitr;

/// <summary>What <c>walreceiver pitr</c> does: read the arguments, plan with <see cref="RecoveryPlanner"/>, print the plan.</summary>
internal static partial class PitrCommand
{
    /// <summary>Prints the plan; exit 0 when the target is reachable with every file present and verified, 1 when not, 2 on bad input.</summary>
    public static int Run(ParseResult p, TextWriter output, TextWriter error)
    {
        var directory = p.GetValue(PitrCommandDefinition.Directory)!;
        if (!System.IO.Directory.Exists(directory))
            return Fail(error, $"the archive directory \"{directory}\" does not exist: give the directory walreceiver receive archives into");
        if (ParseTarget(p, out var problem) is not { } target)
            return Fail(error, problem!);
        Lsn? start = null;
        if (p.GetValue(PitrCommandDefinition.StartLsn) is { } startText)
        {
            if (!Lsn.TryParse(startText, out var s))
                return Fail(error, $"could not parse --start-lsn \"{startText}\": use an LSN such as 0/2000028");
            start = s;
        }
        else if (p.GetValue(PitrCommandDefinition.BackupLabel) is { } label)
        {
            if (ReadBackupLabel(label, out problem) is not { } s)
                return Fail(error, problem!);
            start = s;
        }

        RecoveryPlan plan;
        try
        {
            plan = RecoveryPlanner.Plan(directory, target, p.GetValue(PitrCommandDefinition.Timeline), start, Environment.ProcessPath ?? "walreceiver");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException || CompressedWal.IsDamage(e))
        {
            // InvalidDataException is an IOException: a file that is not what its name says, or a damaged history file.
            error.WriteLine($"walreceiver: error: cannot plan from \"{directory}\": {e.Message}; walreceiver verify -D {directory} says what is wrong");
            return ExitCodes.Failure;
        }

        Print(output, target, plan, start is not null);
        return plan.Reachable ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static void Print(TextWriter output, RecoveryTargetRequest target, RecoveryPlan plan, bool fromBackup)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine($"target    {target.Setting}");
        output.WriteLine(string.Create(c, $"timeline  {plan.Timeline}"));
        if (plan.Start.IsValid)
            output.WriteLine($"replay    from {plan.Start} ({(fromBackup ? "the base backup's start" : "the first WAL in the archive; give --backup-label or --start-lsn for a base backup's")})");
        foreach (var line in plan.Explanation)
            output.WriteLine($"          {line}");
        output.WriteLine(plan.Reachable ? "reachable yes" : "reachable NO");
        var bad = plan.Files.Count(f => !f.Verified);
        output.WriteLine(string.Create(c, $"files     {plan.Files.Count} that recovery asks restore_command for; {(bad == 0 ? "all present and verified" : $"{bad} missing or failed verification")}"));
        foreach (var f in plan.Files)
        {
            var state = f.StoredAs is null ? "MISSING" : f.Verified ? "present, verified" : $"present, FAILED verification: {f.Problem}";
            var stored = f.StoredAs is { } s && s != f.Name ? $" (as {s})" : "";
            output.WriteLine($"  {f.Name,-40} {state}{stored}");
        }

        if (plan.Settings.Count == 0)
            return;
        output.WriteLine("settings  for the restored base backup's postgresql.conf, with an empty recovery.signal file beside it:");
        foreach (var setting in plan.Settings)
            output.WriteLine($"  {setting}");
    }

    private static RecoveryTargetRequest? ParseTarget(ParseResult p, out string? problem)
    {
        problem = null;
        var given = new (string Option, string? Value)[]
        {
            ("--time", p.GetValue(PitrCommandDefinition.Time)), ("--xid", p.GetValue(PitrCommandDefinition.Xid)),
            ("--name", p.GetValue(PitrCommandDefinition.Name)), ("--lsn", p.GetValue(PitrCommandDefinition.Lsn)),
        }.Where(g => g.Value is not null).ToList();
        if (given.Count != 1)
        {
            problem = given.Count == 0
                ? "no recovery target: give one of --time, --xid, --name or --lsn"
                : $"give one recovery target, not {string.Join(" and ", given.Select(g => g.Option))}";
            return null;
        }

        var (option, value) = given[0];
        switch (option)
        {
            case "--time":
                // PostgreSQL would read a time without an offset in the restored server's TimeZone: say which one.
                if (!HasOffset().IsMatch(value!) || !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
                {
                    problem = $"could not parse --time \"{value}\": give a date and time with its UTC offset, like '2026-11-24 10:00:00+00'";
                    return null;
                }

                return new RecoveryTargetRequest(Time: new DateTimeOffset(time.UtcTicks - (time.UtcTicks % 10), TimeSpan.Zero));
            case "--xid":
                if (!uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var xid) || xid < 3)
                {
                    problem = $"could not parse --xid \"{value}\": give a transaction id, a whole number from 3 to 4294967295";
                    return null;
                }

                return new RecoveryTargetRequest(Xid: xid);
            case "--name":
                if (value!.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(value) > 63)
                {
                    problem = $"--name \"{value}\" cannot be a restore point name: names have 1 to 63 bytes";
                    return null;
                }

                return new RecoveryTargetRequest(Name: value);
            default:
                if (!Lsn.TryParse(value, out var lsn))
                {
                    problem = $"could not parse --lsn \"{value}\": use an LSN such as 0/3000060";
                    return null;
                }

                return new RecoveryTargetRequest(Lsn: lsn);
        }
    }

    private static Lsn? ReadBackupLabel(string path, out string? problem)
    {
        problem = null;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot read the backup label \"{path}\": {e.Message}";
            return null;
        }

        if (StartLocation().Match(text) is { Success: true } m && Lsn.TryParse(m.Groups[1].Value, out var start))
            return start;
        problem = $"\"{path}\" has no START WAL LOCATION line: give the backup_label file of a base backup";
        return null;
    }

    [GeneratedRegex(@"([+-]\d\d(:?\d\d)?|Z)\s*$")]
    private static partial Regex HasOffset();

    [GeneratedRegex(@"^START WAL LOCATION: ([0-9A-Fa-f]+/[0-9A-Fa-f]+)", RegexOptions.Multiline)]
    private static partial Regex StartLocation();

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"walreceiver: error: {message}");
        error.WriteLine("walreceiver: hint: Try \"walreceiver pitr --help\" for more information.");
        return ExitCodes.Usage;
    }
}

using System.CommandLine;
using WalReceiver.Cli.Commands.Receive;

namespace WalReceiver.Cli.Commands.PgReceivewal;

/// <summary>
/// <c>pg_receivewal --help</c>: the layout of PostgreSQL's tools (usage line, option groups, descriptions from column 25),
/// listing the receive verb's own options and descriptions, so the page reads like the tool it stands in for.
/// </summary>
internal static class PgReceivewalHelp
{
    /// <summary>The one-line description at the top of the page.</summary>
    public const string Synopsis = "pg_receivewal (WalReceiver) archives the write-ahead log of a PostgreSQL server from a replication stream.";

    private const int DescriptionColumn = 25;

    /// <summary>Writes the page.</summary>
    public static void Write(TextWriter output)
    {
        output.WriteLine(Synopsis);
        output.WriteLine();
        output.WriteLine("Usage:");
        output.WriteLine($"  {PgReceivewalCommand.Name} [OPTION]...");
        output.WriteLine();
        output.WriteLine("Options:");
        foreach (var o in ReceiveCommandDefinition.StreamingOptions)
        {
            WriteRow(output, o);
            if (o == ReceiveCommandDefinition.Verbose)
                WriteRow(output, "-V, --version", "print the version, then exit");
        }

        WriteRow(output, "-?, --help", "print this help, then exit");
        output.WriteLine();
        output.WriteLine("Connection options:");
        foreach (var o in ReceiveCommandDefinition.ConnectionOptions)
            WriteRow(output, o);
        output.WriteLine();
        output.WriteLine("Optional actions:");
        foreach (var o in ReceiveCommandDefinition.SlotActions)
            WriteRow(output, o);
        output.WriteLine();
        output.WriteLine("This is \"walreceiver receive\" under pg_receivewal's name. Exit status: 0 stopped as asked, 1 connection");
        output.WriteLine("lost (with -n), 2 usage, 3 configuration to fix, 4 the archive would be damaged.");
    }

    /// <summary>The left column of an option: <c>-D, --directory=DIR</c>, or <c>    --no-sync</c> without a short name.</summary>
    internal static string Label(Option option)
    {
        var shortName = option.Aliases.FirstOrDefault(a => a.Length == 2 && a[0] == '-');
        var label = (shortName is null ? "    " : shortName + ", ") + option.Name;
        return option.ValueType == typeof(bool) ? label : $"{label}={option.HelpName}";
    }

    private static void WriteRow(TextWriter output, Option option) => WriteRow(output, Label(option), option.Description ?? "");

    private static void WriteRow(TextWriter output, string label, string description)
    {
        var left = "  " + label;
        // A label too long for its column gets the description on the next line, as PostgreSQL's tools do.
        output.WriteLine(left.Length < DescriptionColumn - 1
            ? left.PadRight(DescriptionColumn) + description
            : left + Environment.NewLine + new string(' ', DescriptionColumn) + description);
    }
}

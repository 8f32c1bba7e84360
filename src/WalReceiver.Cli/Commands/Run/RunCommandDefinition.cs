using System.CommandLine;

namespace WalReceiver.Cli.Commands.Run;

/// <summary>The syntax of <c>walreceiver run</c>: the long-lived daemon for one or more sources.</summary>
internal static class RunCommandDefinition
{
    public static readonly Option<FileInfo?> Config = new("--config", "-c")
    {
        Description = "appsettings.json with WalReceiver:Sources and WalReceiver:Http (environment WALRECEIVER__... and "
            + "--WalReceiver:Key=value arguments override it)",
        HelpName = "FILE",
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "output verbose messages" };

    /// <summary>Assembles the command; extra <c>--Key=value</c> tokens are configuration, not errors.</summary>
    public static Command Create()
    {
        var command = new Command("run", "Archive WAL from every configured source, with /metrics and /healthz over HTTP.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Options.Add(Config);
        command.Options.Add(Verbose);
        command.SetAction((parse, _) => RunCommand.RunAsync(parse.GetValue(Config), parse.GetValue(Verbose), [.. parse.UnmatchedTokens],
            parse.InvocationConfiguration.Error));
        return command;
    }
}

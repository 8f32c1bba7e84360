using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace WalReceiver.Cli.Logging;

/// <summary>The one logging setup of every verb: one line per message on stderr, as PostgreSQL's tools print theirs.</summary>
internal static class ConsoleLogging
{
    /// <summary>Replaces the providers with the plain console formatter; <paramref name="verbose"/> shows debug messages.</summary>
    public static void Configure(ILoggingBuilder logging, bool verbose)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Npgsql", LogLevel.Warning);
        // A host that fails to start throws to us, and we print the reason once, in our own words.
        logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        logging.AddConsole(o =>
        {
            o.FormatterName = PlainConsoleFormatter.Name;
            o.LogToStandardErrorThreshold = LogLevel.Trace;
        });
        logging.AddConsoleFormatter<PlainConsoleFormatter, ConsoleFormatterOptions>();
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace WalReceiver.Cli.Logging;

/// <summary>The one logging setup of every verb: one line per message on stderr, as PostgreSQL's tools print theirs.</summary>
internal static class ConsoleLogging
{
    /// <summary>Replaces the providers with the plain console formatter; <paramref name="verbose"/> shows debug messages.</summary>
    public static void Configure(ILoggingBuilder logging, bool verbose)
    {
        AddConsole(logging, verbose, PlainConsoleFormatter.Name);
        // Registered as a plain ConsoleFormatter service, not through AddConsoleFormatter<,>: that one binds the formatter's
        // options from configuration by reflection (IL2026/IL3050 under Native AOT), and this formatter reads no options.
        logging.Services.AddSingleton<ConsoleFormatter, PlainConsoleFormatter>();
    }

    /// <summary>As <see cref="Configure"/>, but lines in PostgreSQL's client-tool form, each starting with <paramref name="programName"/>.</summary>
    public static void ConfigureAsPgTool(ILoggingBuilder logging, bool verbose, string programName)
    {
        AddConsole(logging, verbose, PgToolConsoleFormatter.Name);
        // The console provider takes every registered ConsoleFormatter and picks one by name; this one needs the program name.
        logging.Services.AddSingleton<ConsoleFormatter>(new PgToolConsoleFormatter(programName));
    }

    private static void AddConsole(ILoggingBuilder logging, bool verbose, string formatterName)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        // Npgsql's own log reaches us lowered to debug (Replication/NpgsqlLogging), so the minimum level alone decides:
        // shown with -v, where a status update it failed to send and swallowed becomes visible.
        // A host that fails to start throws to us, and we print the reason once, in our own words.
        logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        logging.AddConsole(o =>
        {
            o.FormatterName = formatterName;
            o.LogToStandardErrorThreshold = LogLevel.Trace;
        });
    }
}

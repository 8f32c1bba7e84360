using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

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

    /// <summary>
    /// The same logging for a verb that runs without a host (<c>receive</c>), built by hand: a service provider would
    /// resolve the logging's open generics at start-up. Disposing the factory writes out what is still queued.
    /// </summary>
    public static ILoggerFactory CreateFactory(bool verbose, ConsoleFormatter formatter)
    {
        var monitor = new OptionsMonitor<ConsoleLoggerOptions>(
            new OptionsFactory<ConsoleLoggerOptions>([new ConfigureOptions<ConsoleLoggerOptions>(o =>
            {
                o.FormatterName = formatter.Name;
                o.LogToStandardErrorThreshold = LogLevel.Trace;
            })], []),
            [],
            new OptionsCache<ConsoleLoggerOptions>());
        var filter = new LoggerFilterOptions { MinLevel = verbose ? LogLevel.Debug : LogLevel.Information };
        filter.Rules.Add(new LoggerFilterRule(providerName: null, categoryName: "Microsoft", LogLevel.Warning, filter: null));
        var factory = new LoggerFactory([], filter);
        factory.AddProvider(new ConsoleLoggerProvider(monitor, [formatter])); // added, not given: the factory disposes it
        return factory;
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

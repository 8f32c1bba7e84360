using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using WalReceiver.Hosting;

namespace WalReceiver.Cli.Logging;

/// <summary>One line per message, <c>2026-11-24 07:50:01.123 UTC info: text</c>: what a DBA greps, without .NET category names.</summary>
internal sealed class PlainConsoleFormatter() : ConsoleFormatter(Name)
{
    /// <summary>The formatter's registered name.</summary>
    public new const string Name = "walreceiver";

    /// <inheritdoc/>
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        var level = logEntry.LogLevel switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warning",
            LogLevel.Error => "error",
            _ => "fatal",
        };
        textWriter.Write(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC' ", CultureInfo.InvariantCulture));
        textWriter.Write(level);
        textWriter.Write(": ");
        if (logEntry.Category.StartsWith(ServiceCollectionExtensions.SourceCategoryPrefix, StringComparison.Ordinal))
        {
            textWriter.Write('[');
            textWriter.Write(logEntry.Category.AsSpan(ServiceCollectionExtensions.SourceCategoryPrefix.Length));
            textWriter.Write("] ");
        }

        textWriter.WriteLine(message);
    }
}

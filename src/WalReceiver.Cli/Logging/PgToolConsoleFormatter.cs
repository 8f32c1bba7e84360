using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace WalReceiver.Cli.Logging;

/// <summary>
/// PostgreSQL's client-tool line form, <c>pg_receivewal: warning: text</c>, for the pg_receivewal persona: no timestamp,
/// no level word for information, <c>debug</c>, <c>warning</c> or <c>error</c> otherwise (as its tests and users grep).
/// </summary>
/// <param name="programName">The name that starts every line.</param>
internal sealed class PgToolConsoleFormatter(string programName) : ConsoleFormatter(Name)
{
    /// <summary>The formatter's registered name.</summary>
    public new const string Name = "pgtool";

    /// <inheritdoc/>
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        textWriter.Write(programName);
        textWriter.Write(": ");
        textWriter.Write(logEntry.LogLevel switch
        {
            LogLevel.Trace or LogLevel.Debug => "debug: ",
            LogLevel.Information => "",
            LogLevel.Warning => "warning: ",
            // PostgreSQL's tools have no level above error: a fatal failure is an error that ends the program.
            _ => "error: ",
        });
        textWriter.WriteLine(message);
    }
}

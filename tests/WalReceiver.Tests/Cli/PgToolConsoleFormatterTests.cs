using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WalReceiver.Cli.Logging;

namespace WalReceiver.Tests.Cli;

public sealed class PgToolConsoleFormatterTests
{
    [Theory]
    [InlineData(LogLevel.Information, "pg_receivewal: starting log streaming at 0/2000000 (timeline 1)")]
    [InlineData(LogLevel.Warning, "pg_receivewal: warning: starting log streaming at 0/2000000 (timeline 1)")]
    [InlineData(LogLevel.Error, "pg_receivewal: error: starting log streaming at 0/2000000 (timeline 1)")]
    [InlineData(LogLevel.Critical, "pg_receivewal: error: starting log streaming at 0/2000000 (timeline 1)")]
    [InlineData(LogLevel.Debug, "pg_receivewal: debug: starting log streaming at 0/2000000 (timeline 1)")]
    [InlineData(LogLevel.Trace, "pg_receivewal: debug: starting log streaming at 0/2000000 (timeline 1)")]
    public void Writes_one_line_in_postgres_tool_form(LogLevel level, string expected)
    {
        var formatter = new PgToolConsoleFormatter("pg_receivewal");
        using var output = new StringWriter();

        formatter.Write(new LogEntry<string>(level, "WalReceiver.Hosting", new EventId(1), "starting log streaming at 0/2000000 (timeline 1)", null,
            (state, _) => state), null, output);

        Assert.Equal(expected + Environment.NewLine, output.ToString());
    }
}

using Microsoft.Extensions.Logging;

namespace WalReceiver.Diagnostics;

/// <summary>
/// Hands a library's loggers to ours with every message lowered to debug (trace stays trace): Npgsql logs at error when it
/// fails to send a status update it then swallows, which is worth seeing with <c>-v</c> and noise without it.
/// </summary>
internal sealed class DebugLevelLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new DebugLevelLogger(inner.CreateLogger(categoryName));

    /// <inheritdoc/>
    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <inheritdoc/>
    public void Dispose()
    {
        // The inner factory belongs to the host.
    }

    private sealed class DebugLevelLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && inner.IsEnabled(Lower(logLevel));

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var lowered = Lower(logLevel);
            if (logLevel != LogLevel.None && inner.IsEnabled(lowered))
                inner.Log(lowered, eventId, state, exception, formatter);
        }

        private static LogLevel Lower(LogLevel level) => level == LogLevel.Trace ? LogLevel.Trace : LogLevel.Debug;
    }
}

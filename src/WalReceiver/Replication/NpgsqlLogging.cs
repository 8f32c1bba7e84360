using Microsoft.Extensions.Logging;
using Npgsql;
using WalReceiver.Diagnostics;

namespace WalReceiver.Replication;

/// <summary>
/// Sends Npgsql's own log to ours, at debug level. Npgsql swallows failures to send status updates and only logs them
/// (style.md §4.6), so without this a feedback that never reached the server is invisible.
/// </summary>
internal static class NpgsqlLogging
{
    private static int _initialized;

    /// <summary>Once per process, before the first connection (Npgsql reads its logging configuration once).</summary>
    public static void Initialize(ILoggerFactory loggerFactory)
    {
        if (Interlocked.Exchange(ref _initialized, 1) != 0)
            return;
        try
        {
            NpgsqlLoggingConfiguration.InitializeLogging(new NpgsqlTraceBridge(new DebugLevelLoggerFactory(loggerFactory)), parameterLoggingEnabled: false);
        }
        catch (InvalidOperationException)
        {
            // Npgsql was already used in this process (a test host): it keeps its first configuration.
        }
    }
}

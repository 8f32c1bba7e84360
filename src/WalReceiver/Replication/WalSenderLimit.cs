using System.Globalization;
using Npgsql;
using WalReceiver.Diagnostics;
using WalReceiver.Replication.ConnectionStrings;

namespace WalReceiver.Replication;

/// <summary>
/// Tells the two causes of SQLSTATE 53300 on a replication connection apart: every <c>max_wal_senders</c> slot is busy
/// (a retry may succeed) or <c>max_wal_senders</c> is 0 (it never will). The code and the error are the same for both, so
/// we ask the server over an ordinary SQL connection instead of reading its (translated) message.
/// </summary>
internal static class WalSenderLimit
{
    /// <summary>The failure to report for <paramref name="refused"/>, after asking the server for its setting.</summary>
    public static async Task<WalReceiverException> ExplainAsync(string replicationConnectionString, PostgresException refused,
        CancellationToken cancellationToken)
    {
        var text = $"could not connect to the server: {refused.Severity}: {refused.MessageText}";
        int? limit;
        try
        {
            await using var sql = new NpgsqlConnection(ReplicationConnectionString.ForSql(replicationConnectionString, null,
                Environment.GetEnvironmentVariable));
            await sql.OpenAsync(cancellationToken);
            await using var show = new NpgsqlCommand("select current_setting('max_wal_senders')", sql);
            limit = int.Parse((string)(await show.ExecuteScalarAsync(cancellationToken))!, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is NpgsqlException or FormatException)
        {
            limit = null; // a role that may not connect to a database: say both possibilities and retry
        }

        return limit switch
        {
            0 => new WalReceiverException(FailureKind.Configuration,
                $"{text}. The server has max_wal_senders = 0: set max_wal_senders above 0 (and wal_level to replica) and restart it", refused),
            null => new WalReceiverException(FailureKind.Transient,
                $"{text}. Every walsender allowed by max_wal_senders is busy, or max_wal_senders is 0 (then set it above 0, and wal_level " +
                "to replica); retrying", refused),
            _ => new WalReceiverException(FailureKind.Transient,
                $"{text}. All {limit} walsenders allowed by max_wal_senders are busy; retrying (raise max_wal_senders if this persists)", refused),
        };
    }
}

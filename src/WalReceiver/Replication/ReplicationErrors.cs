using System.Net.Sockets;
using Npgsql;
using WalReceiver.Diagnostics;

namespace WalReceiver.Replication;

/// <summary>
/// The one place that turns Npgsql's and the server's errors into <see cref="WalReceiverException"/>s: which ones a retry
/// may fix, which ones the user must fix, and what to tell them.
/// </summary>
internal static class ReplicationErrors
{
    /// <summary>Classifies <paramref name="exception"/>; returns null for errors we do not know (they propagate as bugs).</summary>
    public static WalReceiverException? Classify(Exception exception, string context)
    {
        return exception switch
        {
            WalReceiverException w => w,
            PostgresException pg => FromServer(pg, context),
            NpgsqlException n when n.Message.Contains("password", StringComparison.OrdinalIgnoreCase) => new(FailureKind.Configuration,
                $"{context}: {n.Message}. Give a password with -W, PGPASSWORD or a ~/.pgpass entry, or allow the connection in pg_hba.conf", n),
            NpgsqlException or IOException or SocketException or TimeoutException => new(FailureKind.Transient,
                $"{context}: {Describe(exception)}", exception),
            _ => null,
        };
    }

    private static WalReceiverException FromServer(PostgresException e, string context)
    {
        var text = $"{context}: {e.Severity}: {e.MessageText}";
        return e.SqlState switch
        {
            PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification => new(FailureKind.Configuration,
                $"{text}. Check the user name and password, and that pg_hba.conf has a \"replication\" line for this client", e),
            PostgresErrorCodes.InsufficientPrivilege => new(FailureKind.Configuration,
                $"{text}. The role needs the REPLICATION attribute: ALTER ROLE name REPLICATION", e),
            PostgresErrorCodes.UndefinedObject when e.MessageText.Contains("replication slot", StringComparison.Ordinal) => new(
                FailureKind.Configuration,
                $"{text}. Create it with \"walreceiver receive --slot NAME --create-slot\" or pg_create_physical_replication_slot('NAME', true)", e),
            PostgresErrorCodes.ObjectInUse => new(FailureKind.Transient,
                $"{text}. Another receiver is using the slot; retrying until it is free", e),
            PostgresErrorCodes.UndefinedFile when e.MessageText.Contains("has already been removed", StringComparison.Ordinal) => new(
                FailureKind.ArchiveDamage,
                $"{text}. The server no longer has WAL this archive needs, so the archive has a gap: take a new base backup, " +
                "and use a replication slot (--slot) so the server keeps WAL until it is archived", e),
            PostgresErrorCodes.TooManyConnections when e.MessageText.Contains("(currently 0)", StringComparison.Ordinal) => new(
                FailureKind.Configuration, $"{text}. Set max_wal_senders above 0 (and wal_level to replica) on the server", e),
            PostgresErrorCodes.FeatureNotSupported or PostgresErrorCodes.SyntaxError => new(FailureKind.Configuration,
                $"{text}. The server does not support this replication command; see the README for supported versions", e),
            _ when e.MessageText.Contains("not in this server's history", StringComparison.Ordinal) => new(FailureKind.ArchiveDamage,
                $"{text}. The archive's WAL is not on the server's timeline history; it belongs to another history of the cluster", e),
            _ => new(FailureKind.Transient, text, e),
        };
    }

    private static string Describe(Exception e)
    {
        var inner = e.InnerException is { } i && i.Message != e.Message ? $" ({i.Message})" : "";
        return e.Message + inner;
    }
}

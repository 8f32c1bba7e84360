using System.Net.Sockets;
using Npgsql;
using WalReceiver.Diagnostics;

namespace WalReceiver.Replication;

/// <summary>
/// The one place that turns Npgsql's and the server's errors into <see cref="WalReceiverException"/>s: which ones a retry
/// may fix, which ones the user must fix, and what to tell them. Decided by SQLSTATE, exception type and the operation,
/// never by message text: the server words its messages in the session's <c>lc_messages</c>.
/// </summary>
internal static class ReplicationErrors
{
    /// <summary>Classifies <paramref name="exception"/>; returns null for errors we do not know (they propagate as bugs).</summary>
    /// <param name="exception">What Npgsql threw.</param>
    /// <param name="operation">What we were doing.</param>
    /// <param name="context">The start of the message, saying what failed (<c>could not read replication slot "a"</c>).</param>
    public static WalReceiverException? Classify(Exception exception, ReplicationOperation operation, string context) => exception switch
    {
        WalReceiverException w => w,
        PostgresException pg => FromServer(pg, operation, context),
        // Npgsql's own failures carry the cause as the inner exception when it is the network; without one it refused
        // something itself while connecting (a password the server asks for and nobody gave, SSL the server does not offer).
        NpgsqlException { InnerException: null } n when operation == ReplicationOperation.Connect => new(FailureKind.Configuration,
            $"{context}: {n.Message}. Check the connection settings: a password (-W, PGPASSWORD or ~/.pgpass), sslmode, and pg_hba.conf", n),
        NpgsqlException or IOException or SocketException or TimeoutException => new(FailureKind.Transient,
            $"{context}: {Describe(exception)}", exception),
        _ => null,
    };

    /// <summary>
    /// Whether a failure while streaming is the server ending the stream: a CopyDone (the end of a timeline, or a
    /// shutdown) makes Npgsql 10 break the connection with an error of its own that has no inner cause. Network failures
    /// have one (an <see cref="IOException"/>, a timeout); server errors are <see cref="PostgresException"/>s.
    /// </summary>
    public static bool IsEndOfStream(Exception exception) => exception is NpgsqlException { InnerException: null } and not PostgresException;

    private static WalReceiverException FromServer(PostgresException e, ReplicationOperation operation, string context)
    {
        var text = $"{context}: {e.Severity}: {e.MessageText}";
        return (e.SqlState, operation) switch
        {
            (PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification, _) => new(FailureKind.Configuration,
                $"{text}. Check the user name and password, and that pg_hba.conf has a \"replication\" line for this client", e),
            (PostgresErrorCodes.InsufficientPrivilege, _) => new(FailureKind.Configuration,
                $"{text}. The role needs the REPLICATION attribute: ALTER ROLE name REPLICATION", e),
            (PostgresErrorCodes.InvalidCatalogName, _) => new(FailureKind.Configuration,
                $"{text}. Name a database that exists (dbname in the connection string, or PGDATABASE)", e),
            // On a replication connection the only object these commands name is the slot.
            (PostgresErrorCodes.UndefinedObject, ReplicationOperation.DropSlot) => new(FailureKind.Configuration, text, e),
            (PostgresErrorCodes.UndefinedObject, ReplicationOperation.Stream or ReplicationOperation.ReadSlot) => new(
                FailureKind.Configuration,
                $"{text}. Create it with \"walreceiver receive --slot NAME --create-slot\" or pg_create_physical_replication_slot('NAME', true)", e),
            (PostgresErrorCodes.ObjectInUse, _) => new(FailureKind.Transient,
                $"{text}. Another receiver is using the slot; retrying until it is free", e)
            {
                IsSlotInUse = true,
            },
            // While streaming, a missing file is a WAL segment the server no longer has.
            (PostgresErrorCodes.UndefinedFile, ReplicationOperation.Stream) => new(FailureKind.ArchiveDamage,
                $"{text}. The server no longer has WAL this archive needs, so the archive has a gap: take a new base backup, " +
                "and use a replication slot (--slot) so the server keeps WAL until it is archived", e),
            (PostgresErrorCodes.FeatureNotSupported or PostgresErrorCodes.SyntaxError, _) => new(FailureKind.Configuration,
                $"{text}. The server does not support this replication command; see the README for supported versions", e),
            _ => new(FailureKind.Transient, text, e),
        };
    }

    private static string Describe(Exception e)
    {
        var inner = e.InnerException is { } i && i.Message != e.Message ? $" ({i.Message})" : "";
        return e.Message + inner;
    }
}

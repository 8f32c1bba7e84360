using Npgsql;
using Npgsql.Replication;
using WalReceiver.Diagnostics;

namespace WalReceiver.Replication;

/// <summary><c>--create-slot</c> and <c>--drop-slot</c>: one command on a replication connection, then done.</summary>
internal static class SlotCommands
{
    /// <summary>
    /// Creates a physical slot that reserves WAL at once (pg_receivewal's does not, so WAL written between creation and the
    /// first stream is not kept). Returns false if it existed and <paramref name="ifNotExists"/> was given.
    /// </summary>
    public static async Task<bool> CreateAsync(string connectionString, string slot, bool ifNotExists, CancellationToken cancellationToken)
    {
        await using var connection = new PhysicalReplicationConnection(connectionString);
        try
        {
            await connection.Open(cancellationToken);
            await connection.CreateReplicationSlot(slot, isTemporary: false, reserveWal: true, cancellationToken);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateObject)
        {
            if (ifNotExists)
                return false;
            throw new WalReceiverException(FailureKind.Configuration,
                $"could not create replication slot \"{slot}\": {e.MessageText}. Use --if-not-exists to accept an existing slot", e);
        }
        catch (Exception e) when (ReplicationErrors.Classify(e, $"could not create replication slot \"{slot}\"") is { } w)
        {
            throw w;
        }
    }

    /// <summary>Drops a slot; a missing slot is an error the user must see.</summary>
    public static async Task DropAsync(string connectionString, string slot, CancellationToken cancellationToken)
    {
        await using var connection = new PhysicalReplicationConnection(connectionString);
        try
        {
            await connection.Open(cancellationToken);
            await connection.DropReplicationSlot(slot, wait: false, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedObject)
        {
            throw new WalReceiverException(FailureKind.Configuration, $"could not drop replication slot \"{slot}\": {e.MessageText}", e);
        }
        catch (Exception e) when (ReplicationErrors.Classify(e, $"could not drop replication slot \"{slot}\"") is { } w)
        {
            throw w;
        }
    }
}

using Npgsql;
using Npgsql.Replication;
using WalReceiver.Diagnostics;

namespace WalReceiver.Replication;

/// <summary>
/// Creating and dropping physical slots: <c>--create-slot</c> and <c>--drop-slot</c> on a connection of their own, and the
/// re-creation after a failover on the streaming connection, all through <see cref="CreateAsync(PhysicalReplicationConnection, string, bool, CancellationToken)"/>.
/// </summary>
internal static class SlotCommands
{
    /// <summary>Connects and creates the slot; see <see cref="CreateAsync(PhysicalReplicationConnection, string, bool, CancellationToken)"/>.</summary>
    public static async Task<bool> CreateAsync(string connectionString, string slot, bool ifNotExists, CancellationToken cancellationToken)
    {
        await using var connection = new PhysicalReplicationConnection(connectionString);
        await OpenAsync(connection, cancellationToken);
        return await CreateAsync(connection, slot, ifNotExists, cancellationToken);
    }

    /// <summary>
    /// Creates a physical slot that reserves WAL at once (pg_receivewal's does not, so WAL written between creation and the
    /// first stream is not kept). Returns false if it existed and <paramref name="ifNotExists"/> was given.
    /// </summary>
    public static async Task<bool> CreateAsync(PhysicalReplicationConnection connection, string slot, bool ifNotExists,
        CancellationToken cancellationToken)
    {
        try
        {
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
        catch (Exception e) when (ReplicationErrors.Classify(e, ReplicationOperation.CreateSlot, $"could not create replication slot \"{slot}\"") is { } w)
        {
            throw w;
        }
    }

    /// <summary>Drops a slot; a missing slot is an error the user must see.</summary>
    public static async Task DropAsync(string connectionString, string slot, CancellationToken cancellationToken)
    {
        await using var connection = new PhysicalReplicationConnection(connectionString);
        await OpenAsync(connection, cancellationToken);
        try
        {
            await connection.DropReplicationSlot(slot, wait: false, cancellationToken);
        }
        catch (Exception e) when (ReplicationErrors.Classify(e, ReplicationOperation.DropSlot, $"could not drop replication slot \"{slot}\"") is { } w)
        {
            throw w;
        }
    }

    private static async Task OpenAsync(PhysicalReplicationConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await connection.Open(cancellationToken);
        }
        catch (Exception e) when (ReplicationErrors.Classify(e, ReplicationOperation.Connect, "could not connect to the server") is { } w)
        {
            throw w;
        }
    }
}

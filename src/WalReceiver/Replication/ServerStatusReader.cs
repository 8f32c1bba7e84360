using Npgsql;
using WalReceiver.Wal;

namespace WalReceiver.Replication;

/// <summary>Reads <see cref="ServerStatus"/> over an ordinary SQL connection (pg_monitor or superuser sees every column).</summary>
internal static class ServerStatusReader
{
    private const string CurrentLsn =
        "case when pg_is_in_recovery() then coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) else pg_current_wal_lsn() end";

    /// <summary>
    /// Reads the status; <paramref name="slot"/> and <paramref name="applicationName"/> narrow the walsenders shown (the
    /// one using the slot, or those with that name); with neither, all are shown.
    /// </summary>
    public static async Task<ServerStatus> ReadAsync(string connectionString, string? slot, string? applicationName, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var head = new NpgsqlCommand($"select pg_is_in_recovery(), ({CurrentLsn})::text, current_setting('wal_segment_size')", connection);
            bool inRecovery;
            Lsn current;
            WalSegmentSize size;
            await using (var r = await head.ExecuteReaderAsync(cancellationToken))
            {
                await r.ReadAsync(cancellationToken);
                inRecovery = r.GetBoolean(0);
                current = r.IsDBNull(1) ? Lsn.Invalid : Lsn.Parse(r.GetString(1));
                size = WalSegmentSize.Parse(r.GetString(2));
            }

            var senders = await ReadSendersAsync(connection, slot, applicationName, cancellationToken);
            var slotStatus = slot is null ? null : await ReadSlotAsync(connection, slot, cancellationToken);
            return new ServerStatus($"{connection.Host}:{connection.Port}", inRecovery, current, senders, slotStatus, size);
        }
        catch (Exception e) when (ReplicationErrors.Classify(e, ReplicationOperation.Sql, "could not read the server's replication status") is { } w)
        {
            throw w;
        }
    }

    private static async Task<List<SenderStatus>> ReadSendersAsync(NpgsqlConnection connection, string? slot, string? applicationName,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            with cur as (select ({CurrentLsn}) as lsn)
            select application_name, client_addr::text, state, sync_state, sent_lsn::text, write_lsn::text, flush_lsn::text,
                   replay_lsn::text, pg_wal_lsn_diff(cur.lsn, sent_lsn)::bigint, pg_wal_lsn_diff(cur.lsn, write_lsn)::bigint,
                   pg_wal_lsn_diff(cur.lsn, flush_lsn)::bigint, write_lag, flush_lag, replay_lag
            from pg_stat_replication, cur
            where (@slot::text is null or pid = (select active_pid from pg_replication_slots where slot_name = @slot))
              and (@app::text is null or application_name = @app)
            order by application_name
            """, connection);
        command.Parameters.AddWithValue("slot", (object?)slot ?? DBNull.Value);
        command.Parameters.AddWithValue("app", (object?)applicationName ?? DBNull.Value);
        var result = new List<SenderStatus>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            result.Add(new SenderStatus(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? "" : r.GetString(2),
                r.IsDBNull(3) ? "" : r.GetString(3), LsnOrNull(r, 4), LsnOrNull(r, 5), LsnOrNull(r, 6), LsnOrNull(r, 7),
                LongOrNull(r, 8), LongOrNull(r, 9), LongOrNull(r, 10), IntervalOrNull(r, 11), IntervalOrNull(r, 12), IntervalOrNull(r, 13)));
        }

        return result;
    }

    private static async Task<SlotStatus?> ReadSlotAsync(NpgsqlConnection connection, string slot, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            select slot_name::text, active, restart_lsn::text, wal_status,
                   pg_wal_lsn_diff(({CurrentLsn}), restart_lsn)::bigint, safe_wal_size
            from pg_replication_slots where slot_name = @slot
            """, connection);
        command.Parameters.AddWithValue("slot", slot);
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        if (!await r.ReadAsync(cancellationToken))
            return null;
        return new SlotStatus(r.GetString(0), r.GetBoolean(1), LsnOrNull(r, 2), r.IsDBNull(3) ? null : r.GetString(3), LongOrNull(r, 4),
            LongOrNull(r, 5));
    }

    private static Lsn? LsnOrNull(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : Lsn.Parse(r.GetString(i));

    private static long? LongOrNull(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    private static TimeSpan? IntervalOrNull(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetTimeSpan(i);
}

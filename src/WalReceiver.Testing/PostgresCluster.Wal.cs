using System.Globalization;
using WalReceiver.Wal;

namespace WalReceiver.Testing;

/// <summary>The WAL half: make WAL, switch segments, read positions, wait for a standby's replay.</summary>
public sealed partial class PostgresCluster
{
    private static readonly TimeSpan ReplayTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The server's current end of WAL written (<c>pg_current_wal_lsn()</c>; on a standby, the last replayed).</summary>
    public async Task<Lsn> CurrentWalLsnAsync(CancellationToken ct = default) =>
        Lsn.Parse((await QueryScalarAsync<string>(
            "select (case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_lsn() end)::text", ct))!);

    /// <summary>
    /// Makes WAL: a fresh table of <paramref name="rows"/> rows of about 100 bytes (about 150 bytes of WAL each), then,
    /// with <paramref name="switchWal"/>, ends the segment so it is complete on the server. Returns the end of WAL after.
    /// </summary>
    public async Task<Lsn> GenerateWalAsync(int rows, bool switchWal = true, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        var table = "walreceiver_testing_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(
            string.Create(CultureInfo.InvariantCulture, $"create table {table} as select g, repeat('x', 100) as s from generate_series(1, {rows}) g"),
            ct);
        return switchWal ? await SwitchWalAsync(ct) : await CurrentWalLsnAsync(ct);
    }

    /// <summary>
    /// Ends the current segment (<c>pg_switch_wal()</c>), so the next WAL goes to a new file, and returns the end of WAL
    /// after it: the start of the next segment.
    /// </summary>
    /// <remarks>
    /// The server ignores a switch when nothing was written since the segment began, so a small message record is
    /// written first; the switch then always happens and the caller can count on a new segment.
    /// </remarks>
    public async Task<Lsn> SwitchWalAsync(CancellationToken ct = default)
    {
        await ExecuteAsync("select pg_logical_emit_message(false, 'walreceiver.testing', 'switch'); select pg_switch_wal()", ct);
        return await CurrentWalLsnAsync(ct);
    }

    /// <summary>Waits until this standby has replayed WAL up to <paramref name="lsn"/> (polling, up to a minute).</summary>
    /// <exception cref="TimeoutException">The standby did not get there within a minute.</exception>
    public async Task WaitForReplayAsync(Lsn lsn, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + ReplayTimeout;
        while (!await QueryScalarAsync<bool>(string.Create(CultureInfo.InvariantCulture, $"select coalesce(pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn, false)"), ct))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The standby did not replay up to {lsn} within {ReplayTimeout}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
        }
    }
}

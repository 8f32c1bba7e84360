using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WalReceiver.Diagnostics;
using WalReceiver.Replication;

namespace WalReceiver.Hosting;

/// <summary>
/// Polls <c>pg_replication_slots</c> for one source's slot over an ordinary SQL connection (a replication connection
/// cannot run SQL), so metrics show the WAL the server keeps for us and the slot's <c>wal_status</c>. Best effort: a
/// role that may not connect to a database leaves the two metrics empty and changes nothing else.
/// </summary>
internal sealed class SlotMonitor(string connectionString, string slot, SourceState state, TimeProvider time, ILogger logger, TimeSpan interval)
    : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                var status = await ServerStatusReader.ReadAsync(connectionString, slot, applicationName: null, stoppingToken);
                state.SetSlot(status.Slot?.WalStatus, status.Slot?.RetainedBytes);
            }
            catch (WalReceiverException e)
            {
                state.SetSlot(null, null);
                Log.SlotMonitorFailed(logger, slot, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}

using System.Globalization;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Streaming;

/// <summary>
/// One test's archive: a directory, a slot for the receiver, a second slot that keeps the server from recycling the
/// segments we compare against, and a unique application name. Dropped and deleted at the end.
/// </summary>
public sealed class ArchiveRun : IAsyncDisposable
{
    private readonly PostgresCluster _cluster;

    private ArchiveRun(PostgresCluster cluster, string name, Lsn start)
    {
        _cluster = cluster;
        Slot = name;
        ApplicationName = "wr_" + name;
        Start = start;
        Directory = Path.Combine(Path.GetTempPath(), "walreceiver-it-" + name);
        if (System.IO.Directory.Exists(Directory))
            System.IO.Directory.Delete(Directory, recursive: true);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Slot { get; }

    public string HoldSlot => Slot + "_hold";

    public string ApplicationName { get; }

    public string Directory { get; }

    /// <summary>The slot's restart_lsn when the run began.</summary>
    public Lsn Start { get; }

    public static async Task<ArchiveRun> StartAsync(PostgresCluster cluster, string tag)
    {
        var name = (tag + "_" + Guid.NewGuid().ToString("N")[..8]).ToLowerInvariant();
        await cluster.ExecuteAsync($"select pg_create_physical_replication_slot('{name}_hold', true)");
        var start = await cluster.QueryScalarAsync<string>($"select lsn::text from pg_create_physical_replication_slot('{name}', true)");
        return new ArchiveRun(cluster, name, Lsn.Parse(start!));
    }

    public ReceiverProcess StartReceiver(params string[] extra) =>
        StartReceiverWith([.. ReceiverProcess.ConnectionArgs(_cluster), .. extra]);

    /// <summary>Starts the receiver on this run's directory and slot with the given connection arguments.</summary>
    public ReceiverProcess StartReceiverWith(string[] args) => ReceiverProcess.Start(
        ["receive", "-D", Directory, "-S", Slot, .. args], new Dictionary<string, string> { ["PGAPPNAME"] = ApplicationName });

    /// <summary>Polls until the server sees our flush position at or past <paramref name="lsn"/>.</summary>
    public Task WaitForFlushAsync(Lsn lsn, TimeSpan timeout) => WaitForFlushAsync(_cluster, lsn, timeout);

    /// <summary>Polls until <paramref name="server"/> sees our flush position at or past <paramref name="lsn"/>.</summary>
    public Task WaitForFlushAsync(PostgresCluster server, Lsn lsn, TimeSpan timeout) => WaitForFlushAsync(server, ApplicationName, lsn, timeout);

    /// <summary>Polls until <paramref name="server"/> sees the flush position of <paramref name="applicationName"/> at or past <paramref name="lsn"/>.</summary>
    public static async Task WaitForFlushAsync(PostgresCluster server, string applicationName, Lsn lsn, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var flushed = await server.QueryScalarAsync<string>(
                $"select flush_lsn::text from pg_stat_replication where application_name = '{applicationName}'");
            if (flushed is not null && Lsn.Parse(flushed) >= lsn)
                return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"flush_lsn {flushed ?? "(not connected)"} did not reach {lsn}"));
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in new[] { Slot, HoldSlot })
        {
            try
            {
                await _cluster.ExecuteAsync($"select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = '{s}' and not active");
            }
            catch (Npgsql.NpgsqlException)
            {
                // the cluster may be gone already (a dedicated one disposed first)
            }
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}

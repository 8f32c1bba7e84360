using System.Globalization;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Verification;

/// <summary>Real WAL of a test cluster: its identity, and complete segments read back from its pg_wal.</summary>
internal sealed record ServerWal(WalSegmentSize SegmentSize, ulong SystemId, ushort? Magic, Lsn Start, IReadOnlyList<byte[]> Segments)
{
    /// <summary>
    /// Makes WAL worth checking on <paramref name="cluster"/>: small rows, big multi-page records, full-page images after a
    /// checkpoint, a segment switch; then reads every complete segment from the one holding the slot's start on.
    /// A slot that reserves WAL keeps the server from recycling them meanwhile.
    /// </summary>
    public static async Task<ServerWal> GenerateAsync(PostgresCluster cluster, int rows, CancellationToken ct)
    {
        var slot = "verify_" + Guid.NewGuid().ToString("N")[..8];
        var start = Lsn.Parse((await cluster.QueryScalarAsync<string>($"select lsn::text from pg_create_physical_replication_slot('{slot}', true)", ct))!);
        try
        {
            var table = "v_" + Guid.NewGuid().ToString("N")[..8];
            await cluster.ExecuteAsync(
                $"create table {table} (id int primary key, s text); alter table {table} alter column s set storage external;" +
                $"insert into {table} select g, repeat('x', 100) from generate_series(1, {rows}) g;" +
                $"insert into {table} select -g, repeat(md5(g::text), 640) from generate_series(1, 50) g;" + // 20 kB each, TOASTed
                "select pg_logical_emit_message(false, 'verify', repeat('y', 300000));" + // one record over many pages
                "select pg_switch_wal();" +
                $"checkpoint; update {table} set s = s || 'z' where id % 7 = 0;" + // full-page images
                $"insert into {table} select g, repeat('w', 100) from generate_series({rows} + 1, {rows} * 2) g;", ct);
            await cluster.ExecuteAsync("select pg_switch_wal()", ct);
            var end = Lsn.Parse((await cluster.QueryScalarAsync<string>("select pg_current_wal_lsn()::text", ct))!);
            var size = new WalSegmentSize(cluster.WalSegmentSize);
            var systemId = (ulong)(await cluster.QueryScalarAsync<long>("select system_identifier from pg_control_system()", ct));
            var major = int.Parse((await cluster.QueryScalarAsync<string>("show server_version_num", ct))!, CultureInfo.InvariantCulture) / 10000;
            var segments = new List<byte[]>();
            for (var segment = size.SegmentOf(start); segment < size.SegmentOf(end); segment++)
                segments.Add(await cluster.ReadWalFileAsync(WalFileName.Format(1, segment, size), ct));
            return new ServerWal(size, systemId, WalPageMagic.ForMajorVersion(major), size.StartOf(start), segments);
        }
        finally
        {
            await cluster.ExecuteAsync($"select pg_drop_replication_slot('{slot}')", ct);
        }
    }

    /// <summary>The segments as one stream of bytes.</summary>
    public byte[] Concatenated() => [.. Segments.SelectMany(s => s)];

    /// <summary>A new verifier for this stream.</summary>
    public WalStreamVerifier Verifier() => new(SegmentSize, SystemId, 1, Start, Magic);
}

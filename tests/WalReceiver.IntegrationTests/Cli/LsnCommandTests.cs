using System.Text.Json;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Cli;

/// <summary>
/// <c>walreceiver lsn</c> against the server's own functions, on a cluster of each segment size: pg_walfile_name_offset
/// for an LSN's file and offset, the file's first and last LSN located back with it, and pg_wal_lsn_diff.
/// </summary>
public sealed class LsnCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // Ordinary positions, both sides of segment boundaries for 1 and 16 MB, a high xlogid, the example and the
    // last segment of the LSN space. The current end of WAL is added to them.
    private static readonly string[] Positions =
        ["0/1", "0/FFFFF", "0/100000", "0/FFFFFF", "0/1000000", "4/DF75D0E0", "4/E0000000", "1234/56789ABC", "FFFFFFFF/FF000000"];

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public async Task Agrees_with_the_server_functions(int segmentSizeMb)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: segmentSizeMb), ct);
        var size = $"{segmentSizeMb}MB";
        var current = await cluster.QueryScalarAsync<string>("select pg_current_wal_lsn()::text", ct);
        foreach (var lsn in Positions.Append(current!))
        {
            using var location = await LsnJsonAsync(["lsn", lsn, "--wal-segsize", size]);
            var at = location.RootElement;
            var serverName = await cluster.QueryScalarAsync<string>($"select file_name from pg_walfile_name_offset('{lsn}')", ct);
            var serverOffset = await cluster.QueryScalarAsync<int>($"select file_offset from pg_walfile_name_offset('{lsn}')", ct);
            Assert.True(serverName == at.GetProperty("pgWalfileName").GetString(), $"{lsn}: server {serverName}, ours {at}");
            Assert.Equal(serverOffset, at.GetProperty("offset").GetInt32());
            var file = at.GetProperty("file").GetString()!;
            if (serverOffset != 0)
                Assert.Equal(serverName, file); // only at a boundary does the server name the file before

            using var range = await LsnJsonAsync(["lsn", file, "--wal-segsize", size]);
            var first = range.RootElement.GetProperty("first").GetString()!;
            var last = range.RootElement.GetProperty("last").GetString()!;
            Assert.Equal(at.GetProperty("first").GetString(), first);
            // The server puts the file's second byte and its last one in the file, and names it for the LSN after it.
            Assert.Equal(file, await cluster.QueryScalarAsync<string>($"select file_name from pg_walfile_name_offset('{first}'::pg_lsn + 1)", ct));
            Assert.Equal(file, await cluster.QueryScalarAsync<string>($"select file_name from pg_walfile_name_offset('{last}')", ct));
            Assert.Equal((segmentSizeMb << 20) - 1, await cluster.QueryScalarAsync<int>($"select file_offset from pg_walfile_name_offset('{last}')", ct));
            if (Lsn.Parse(last).Value != ulong.MaxValue)
                Assert.Equal(file, await cluster.QueryScalarAsync<string>($"select pg_walfile_name('{last}'::pg_lsn + 1)", ct));
        }

        foreach (var (a, b) in new[] { ("4/DF75D0E0", "4/DF000000"), ("0/0", "FFFFFFFF/FFFFFFFF"), (current!, "0/0") })
        {
            await using var p = ReceiverProcess.Start(["lsn", a, b]);
            Assert.True(await p.WaitForExitAsync(Timeout) == 0, p.Stderr);
            Assert.Equal(await cluster.QueryScalarAsync<string>($"select pg_wal_lsn_diff('{a}', '{b}')::text", ct), p.Stdout.Trim());
        }
    }

    [Theory]
    [InlineData("neither an LSN", "lsn", "0/XYZ")]
    [InlineData("last 8 digits must be below 00000100", "lsn", "000000010000000000000100")]
    [InlineData("timelines start at 1", "lsn", "000000000000000000000001")]
    [InlineData("contradicts the file name", "lsn", "000000020000000000000001", "--timeline", "1")]
    [InlineData("is not a WAL segment size", "lsn", "0/1", "--wal-segsize", "3")]
    [InlineData("two LSNs", "lsn", "0/1", "000000010000000000000001")]
    public async Task Input_that_is_neither_exits_2_naming_the_fix(string expected, params string[] args)
    {
        var (code, stderr) = await ReceiverProcess.RunAsync(args, Timeout);
        Assert.True(code == 2, $"exit code {code}, stderr:\n{stderr}");
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Contains("hint: Try \"walreceiver lsn --help\"", stderr, StringComparison.Ordinal);
    }

    private static async Task<JsonDocument> LsnJsonAsync(string[] args)
    {
        await using var p = ReceiverProcess.Start([.. args, "--json"]);
        Assert.True(await p.WaitForExitAsync(Timeout) == 0, p.Stderr);
        return JsonDocument.Parse(p.Stdout);
    }
}

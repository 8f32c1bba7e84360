using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Verification;

/// <summary>
/// <c>walreceiver inspect</c> against pg_waldump on the same files: every record pg_waldump lists in a plain complete
/// segment is the record <c>inspect</c> lists there (LSN, total length, resource manager, previous record, xid), and
/// every CRC <c>inspect</c> checks matches. Run on every archive the streaming tests compare with the server.
/// </summary>
public static partial class WaldumpAgreement
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Checks every plain complete segment in <paramref name="directory"/>; returns how many records were compared.</summary>
    public static async Task<int> AssertAsync(string directory, CancellationToken ct)
    {
        await using var p = ReceiverProcess.Start(["inspect", directory, "--json", "--records"]);
        var code = await p.WaitForExitAsync(Timeout);
        Assert.True(code == 0, $"inspect {directory} exited {code}: {p.Stderr}{p.Stdout[..Math.Min(3000, p.Stdout.Length)]}");
        using var json = JsonDocument.Parse(p.Stdout);
        var compared = 0;
        foreach (var file in json.RootElement.GetProperty("files").EnumerateArray())
        {
            var name = file.GetProperty("file").GetString()!;
            var ours = file.GetProperty("records").EnumerateArray().ToList();
            Assert.All(ours, r => Assert.True(r.GetProperty("crc").GetString() != "bad", $"{name}: bad CRC at {r}"));
            if (name.Length != WalFileName.Length)
                continue; // pg_waldump reads plain, complete segments only
            var waldump = await ProcessRunner.RunAsync(Path.Combine(PostgresCluster.BinDirectory, "pg_waldump"), [name], asServerAccount: false, ct,
                workingDirectory: directory);
            var theirs = Line().Matches(waldump).Select(m => (
                Lsn: Lsn.Parse(m.Groups["lsn"].Value), Length: uint.Parse(m.Groups["tot"].Value, CultureInfo.InvariantCulture),
                Rmgr: m.Groups["rmgr"].Value, Previous: Lsn.Parse(m.Groups["prev"].Value),
                Xid: uint.Parse(m.Groups["tx"].Value, CultureInfo.InvariantCulture))).ToList();
            // pg_waldump given one file stops before a record that ends in the next; inspect reads the next file to finish it.
            Assert.True(ours.Count - theirs.Count is 0 or 1, $"{name}: pg_waldump listed {theirs.Count} records, inspect {ours.Count}");
            for (var i = 0; i < theirs.Count; i++)
            {
                var r = ours[i];
                Assert.True(theirs[i] == (Lsn.Parse(r.GetProperty("lsn").GetString()!), r.GetProperty("totalLength").GetUInt32(),
                    r.GetProperty("resourceManager").GetString()!, Lsn.Parse(r.GetProperty("previous").GetString()!), r.GetProperty("xid").GetUInt32()),
                    $"{name}, record {i}: pg_waldump {theirs[i]}, inspect {r}");
            }

            compared += theirs.Count;
        }

        return compared;
    }

    [GeneratedRegex(@"^rmgr: (?<rmgr>\S+)\s+len \(rec/tot\):\s*\d+/\s*(?<tot>\d+), tx:\s*(?<tx>\d+), lsn: (?<lsn>[0-9A-F]+/[0-9A-F]+), prev (?<prev>[0-9A-F]+/[0-9A-F]+),", RegexOptions.Multiline)]
    private static partial Regex Line();
}

using System.Text.Json;
using System.Text.RegularExpressions;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Cli;

/// <summary><c>walreceiver status</c> shows what the server sees of a live stream, the slot, and the archive's newest segment.</summary>
public sealed class StatusTests(SharedCluster shared)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Status_reports_the_live_stream_slot_and_archive_as_text_and_json()
    {
        var cluster = shared.Cluster;
        await using var run = await ArchiveRun.StartAsync(cluster, "status");
        await using var receiver = run.StartReceiver();
        await receiver.WaitForStderrAsync("starting log streaming", Timeout);
        await cluster.GenerateWalAsync(10_000);
        var end = await cluster.GenerateWalAsync(10, switchWal: false);
        await run.WaitForFlushAsync(end, Timeout);

        string[] args = ["status", .. ReceiverProcess.ConnectionArgs(cluster), "-S", run.Slot, "-D", run.Directory];
        await using var p = ReceiverProcess.Start([.. args, "--json"]);
        Assert.Equal(0, await p.WaitForExitAsync(Timeout));
        using var json = JsonDocument.Parse(p.Stdout);
        var server = json.RootElement[0];
        var sender = Assert.Single(server.GetProperty("walsenders").EnumerateArray());
        Assert.Equal(run.ApplicationName, sender.GetProperty("applicationName").GetString());
        Assert.True(Lsn.Parse(sender.GetProperty("flushLsn").GetString()!) >= end);
        Assert.True(server.GetProperty("slot").GetProperty("active").GetBoolean());
        var newest = server.GetProperty("newestCompleteSegment").GetString();
        Assert.True(File.Exists(Path.Combine(run.Directory, newest!)));

        await using var text = ReceiverProcess.Start(args);
        Assert.Equal(0, await text.WaitForExitAsync(Timeout));
        Assert.Contains($"walsender {run.ApplicationName}", text.Stdout, StringComparison.Ordinal);
        Assert.Contains($"slot {run.Slot}: active", text.Stdout, StringComparison.Ordinal);
        // Other test classes write WAL on the shared cluster meanwhile, so the receiver may complete
        // more segments between the two calls: the text may name a later segment, never an earlier one.
        var named = Regex.Match(text.Stdout, "newest complete segment ([0-9A-F]{24})");
        Assert.True(named.Success, text.Stdout);
        Assert.True(string.CompareOrdinal(named.Groups[1].Value, newest) >= 0, $"{named.Groups[1].Value} < {newest}");
        Assert.True(File.Exists(Path.Combine(run.Directory, named.Groups[1].Value)));
        receiver.Signal(PosixSignal.Terminate);
        Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task Status_with_a_daemon_configuration_reports_each_source()
    {
        var cluster = shared.Cluster;
        await using var run = await ArchiveRun.StartAsync(cluster, "statuscfg");
        var config = Path.Combine(run.Directory, "..", $"{run.Slot}.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            WalReceiver = new
            {
                Sources = new[]
                {
                    new { Name = "cfg", ConnectionString = $"host={cluster.Host} port={cluster.Port} user={cluster.SuperUser}", Slot = run.Slot, Directory = run.Directory },
                },
            },
        }), TestContext.Current.CancellationToken);
        try
        {
            await using var p = ReceiverProcess.Start(["status", "--config", config, "--json"]);
            Assert.True(await p.WaitForExitAsync(Timeout) == 0, p.Stderr);
            using var json = JsonDocument.Parse(p.Stdout);
            var source = Assert.Single(json.RootElement.EnumerateArray());
            Assert.Equal("cfg", source.GetProperty("source").GetString());
            Assert.Equal(run.Slot, source.GetProperty("slot").GetProperty("name").GetString());
            Assert.False(source.GetProperty("slot").GetProperty("active").GetBoolean());
        }
        finally
        {
            File.Delete(config);
        }
    }
}

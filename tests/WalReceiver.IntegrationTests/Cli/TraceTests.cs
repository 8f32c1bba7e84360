using System.Text.RegularExpressions;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Cli;

/// <summary>
/// <c>receive --trace</c> against a real server: every XLogData message in order and without a gap, the server's keepalives
/// with their reply-request flag, and each status update with its positions and reason; and nothing of it without the option.
/// </summary>
public sealed partial class TraceTests(SharedCluster shared)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Trace_shows_every_XLogData_each_keepalive_with_its_flag_and_each_status_update_with_its_reason()
    {
        // The server sends a keepalive asking for a reply after 1 s without a reply from us.
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(ExtraConfig: "wal_sender_timeout = 2s"), Ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "trace");
        await using var receiver = run.StartReceiver("--trace");
        await cluster.GenerateWalAsync(15_000, ct: Ct); // two segments and more: a completed segment is reported
        var end = await cluster.GenerateWalAsync(100, switchWal: false, Ct);
        await run.WaitForFlushAsync(end, Timeout);
        await CliTestSupport.WaitUntilAsync(
            () => Task.FromResult(receiver.Stderr.Contains("(the server's keepalive asked for a reply)", StringComparison.Ordinal)),
            Timeout, () => "a keepalive asking for a reply, and the reply, in the trace:\n" + receiver.Stderr);
        receiver.Signal(PosixSignal.Interrupt);
        Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));

        var lines = receiver.Stderr.Split('\n');
        var data = lines.Select(l => XLogDataLine().Match(l)).Where(m => m.Success).ToList();
        Assert.NotEmpty(data);
        // In order and without a gap, from where the stream started to where it stopped.
        Assert.Equal(run.Start.Value - run.Start.Value % (ulong)cluster.WalSegmentSize, Lsn.Parse(data[0].Groups["start"].Value).Value);
        for (var i = 0; i < data.Count; i++)
        {
            var (start, stop) = (Lsn.Parse(data[i].Groups["start"].Value), Lsn.Parse(data[i].Groups["end"].Value));
            Assert.Equal(stop.Value - start.Value, ulong.Parse(data[i].Groups["length"].Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(Lsn.Parse(data[i].Groups["server"].Value) >= stop, data[i].Value);
            if (i > 0)
                Assert.Equal(Lsn.Parse(data[i - 1].Groups["end"].Value), start);
        }

        var lastEnd = Lsn.Parse(data[^1].Groups["end"].Value);
        Assert.True(lastEnd >= end);

        // A keepalive that asked for a reply is followed by the update that answered it.
        var asked = Array.FindIndex(lines, l => l.Contains("reply requested yes", StringComparison.Ordinal));
        Assert.Contains("(the server's keepalive asked for a reply)", lines[asked + 1], StringComparison.Ordinal);

        var updates = lines.Select(l => StatusLine().Match(l)).Where(m => m.Success).ToList();
        Assert.Contains(updates, u => u.Groups["reason"].Value == "a segment was completed and fsynced");
        Assert.All(updates, u => Assert.True(Lsn.Parse(u.Groups["flush"].Value) <= Lsn.Parse(u.Groups["write"].Value), u.Value));
        // The last update is the stop's: everything received is on disk, and the slot says so.
        Assert.Equal("stopping: the last position on disk", updates[^1].Groups["reason"].Value);
        Assert.Equal(lastEnd, Lsn.Parse(updates[^1].Groups["flush"].Value));
        Assert.Equal(lastEnd.ToString(), await cluster.QueryScalarAsync<string>($"select restart_lsn::text from pg_replication_slots where slot_name = '{run.Slot}'", Ct));
    }

    [Fact]
    public async Task Trace_shows_the_reply_Npgsql_asks_for_and_the_keepalive_that_answers_it_without_asking_back()
    {
        // With --receive-timeout 2, Npgsql asks the server for a reply after 1 s without a message; the server answers
        // with a keepalive whose reply-request flag is off. Its own keepalives would come only after 30 s.
        await using var run = await ArchiveRun.StartAsync(shared.Cluster, "tracenpgsql");
        await using var receiver = run.StartReceiver("--trace", "--receive-timeout", "2");
        await CliTestSupport.WaitUntilAsync(
            () => Task.FromResult(receiver.Stderr.Contains("reply requested no", StringComparison.Ordinal)),
            Timeout, () => "a keepalive that asks for no reply, in the trace:\n" + receiver.Stderr);
        receiver.Signal(PosixSignal.Interrupt);
        Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));

        var lines = receiver.Stderr.Split('\n');
        var answer = Array.FindIndex(lines, l => l.Contains("reply requested no", StringComparison.Ordinal));
        var request = Array.FindLastIndex(lines, answer, l => StatusLine().IsMatch(l));
        Assert.True(request >= 0, receiver.Stderr);
        Assert.Contains("(Npgsql: half of the WalReceiverTimeout of 00:00:02 has expired)", lines[request], StringComparison.Ordinal);
        Assert.DoesNotContain("reply requested yes", receiver.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_trace_no_line_of_it_is_printed()
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(ExtraConfig: "wal_sender_timeout = 2s"), Ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "notrace");
        await using var receiver = run.StartReceiver("-v", "--receive-timeout", "3");
        var end = await cluster.GenerateWalAsync(15_000, ct: Ct);
        await run.WaitForFlushAsync(end, Timeout);
        await Task.Delay(TimeSpan.FromSeconds(2.5), Ct); // a keepalive and a reply request each
        receiver.Signal(PosixSignal.Interrupt);
        Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));

        Assert.Contains("finished segment", receiver.Stderr, StringComparison.Ordinal); // -v prints; trace does not
        Assert.DoesNotContain(" trace ", receiver.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("keepalive", receiver.Stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"trace XLogData start (?<start>\S+) end (?<end>\S+) length (?<length>\d+) server end (?<server>\S+)$")]
    private static partial Regex XLogDataLine();

    [GeneratedRegex(@"trace status update write (?<write>\S+) flush (?<flush>\S+) apply (?<apply>\S+) \((?<reason>.*)\)$")]
    private static partial Regex StatusLine();
}

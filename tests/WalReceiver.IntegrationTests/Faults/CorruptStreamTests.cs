using System.Globalization;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Faults;

/// <summary>
/// One byte of the WAL stream flipped on its way (an in-test proxy between the server and the receiver): with
/// verification, it is caught before it is archived and the segment is streamed again; with <c>--no-verify</c> it reaches
/// the archive, and <c>walreceiver verify</c> finds it there.
/// </summary>
public sealed class CorruptStreamTests(SharedCluster shared)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_flipped_byte_in_the_stream_is_caught_before_it_is_archived_and_the_segment_is_streamed_again()
    {
        var cluster = shared.Cluster;
        await using var proxy = TcpProxy.Start(cluster.Host, cluster.Port);
        await using var run = await ArchiveRun.StartAsync(cluster, "flip");
        var corrupter = proxy.CorruptWal(walBytes: 1_500_000 + Random.Shared.Next(1_000_000));
        await using var receiver = Start(run, proxy, cluster);
        await receiver.WaitForStderrAsync("starting log streaming", Timeout);
        await cluster.GenerateWalAsync(40_000);
        var flipped = await corrupter.Corrupted.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        await receiver.WaitForStderrAsync("failed verification at LSN", Timeout);
        var reported = ReportedLsn(receiver.Stderr);
        TestContext.Current.TestOutputHelper?.WriteLine($"flipped the byte at {flipped}; the receiver said: " +
            receiver.Stderr.Split('\n').First(l => l.Contains("failed verification", StringComparison.Ordinal)));
        // The record (or page header) that holds the flipped byte: it starts at or before the byte, in the same segment or the one before.
        Assert.True(reported <= flipped && flipped.Value - reported.Value < 2UL * (ulong)cluster.WalSegmentSize,
            $"reported {reported}, flipped byte at {flipped}:\n{receiver.Stderr}");

        var end = await cluster.GenerateWalAsync(1_000);
        await run.WaitForFlushAsync(end, Timeout);
        receiver.Signal(PosixSignal.Terminate);
        Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));
        // Never renamed complete with the bad byte (that would have stopped the retry: a complete segment is never
        // overwritten), and streamed again: every file is the server's own.
        Assert.DoesNotContain("refusing to overwrite", receiver.Stderr, StringComparison.Ordinal);
        await ArchiveAssert.MatchesServerAsync(cluster, run.Directory, minimumComplete: 3);
        var (code, output) = await VerifyAsync(run.Directory);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task Without_verification_the_flipped_byte_reaches_the_archive_and_verify_names_it()
    {
        var cluster = shared.Cluster;
        await using var proxy = TcpProxy.Start(cluster.Host, cluster.Port);
        await using var run = await ArchiveRun.StartAsync(cluster, "flipnv");
        var corrupter = proxy.CorruptWal(walBytes: 1_500_000 + Random.Shared.Next(1_000_000));
        await using var receiver = Start(run, proxy, cluster, "--no-verify");
        await receiver.WaitForStderrAsync("starting log streaming", Timeout);
        await cluster.GenerateWalAsync(40_000);
        var flipped = await corrupter.Corrupted.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        var end = await cluster.GenerateWalAsync(1_000);
        await run.WaitForFlushAsync(end, Timeout);
        receiver.Signal(PosixSignal.Terminate);
        Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));

        var segment = WalFileName.Format(1, flipped, new WalSegmentSize(cluster.WalSegmentSize));
        await Assert.ThrowsAnyAsync<Exception>(() => ArchiveAssert.MatchesServerAsync(cluster, run.Directory));
        var (code, output) = await VerifyAsync(run.Directory);
        Assert.True(code == 1, output);
        Assert.Contains(segment, output, StringComparison.Ordinal);
    }

    private static ReceiverProcess Start(ArchiveRun run, TcpProxy proxy, PostgresCluster cluster, params string[] extra) =>
        run.StartReceiverWith(["-d", $"host=127.0.0.1 port={proxy.Port.ToString(CultureInfo.InvariantCulture)} user={cluster.SuperUser} sslmode=disable",
            "-v", .. extra]);

    private static async Task<(int ExitCode, string Output)> VerifyAsync(string directory)
    {
        await using var p = ReceiverProcess.Start(["verify", "-D", directory]);
        var code = await p.WaitForExitAsync(TimeSpan.FromSeconds(120));
        return (code, p.Stdout + p.Stderr);
    }

    private static Lsn ReportedLsn(string stderr)
    {
        const string marker = "failed verification at LSN ";
        var at = stderr.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        var end = stderr.IndexOfAny([':', ' ', '\n'], at);
        return Lsn.Parse(stderr[at..end]);
    }
}

using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Streaming;

/// <summary>
/// <c>--synchronous</c> starts every new segment from a preallocated, zero-filled file (renamed into place): the archive
/// must still be the server's own files byte for byte, the open <c>.partial</c> exactly one segment long, and the spare
/// file gone once the receiver stops.
/// </summary>
public sealed class SynchronousPreallocationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Synchronous_segments_made_from_preallocated_files_equal_the_servers()
    {
        await using var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions(), Ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "prealloc");
        await using var receiver = run.StartReceiver("--synchronous", "-v");
        await receiver.WaitForStderrAsync("starting log streaming", Timeout);

        // Four 1 MB segments and a bit, each started while the receiver streams: all but the first from a spare file.
        var end = await ArchiveAssert.GenerateWalAsync(cluster, rows: 30_000, switchWal: false);
        await run.WaitForFlushAsync(end, Timeout);
        var spare = Path.Combine(run.Directory, SegmentPreallocator.FileName);
        Assert.True(File.Exists(spare), "a spare segment is kept ready while streaming with --synchronous");
        var partial = Path.Combine(run.Directory, WalFileName.Format(1, end, new WalSegmentSize(1 << 20)) + ".partial");
        Assert.Equal(1 << 20, new FileInfo(partial).Length); // written into, never grown

        receiver.Signal(PosixSignal.Terminate);
        Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));

        Assert.False(File.Exists(spare), "the spare is removed at a stop");
        var complete = await ArchiveAssert.MatchesServerAsync(cluster, run.Directory, minimumComplete: 3);
        Assert.True(complete >= 3, $"{complete} complete segments");
    }
}

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
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "prealloc");
        await using var receiver = run.StartReceiver("--synchronous", "-v");
        await receiver.WaitForStderrAsync("starting log streaming", Timeout);

        // Four 1 MB segments and a bit. WAL written in bulk can fill a segment before the next spare is ready; such a
        // segment is created empty and grows, as without preallocation.
        var end = await cluster.GenerateWalAsync(rows: 30_000, switchWal: false);
        await run.WaitForFlushAsync(end, Timeout);
        var spare = Path.Combine(run.Directory, SegmentPreallocator.FileName);
        var segmentSize = new WalSegmentSize(cluster.WalSegmentSize);
        await WaitUntilAsync(() => File.Exists(spare) && new FileInfo(spare).Length == segmentSize.Bytes);
        await Task.Delay(2000, Ct); // its fsync returns a moment after its last write (milliseconds; seconds under load)

        // The next segment starts from the spare: it is a whole segment long while it is being written into.
        await cluster.ExecuteAsync("select pg_switch_wal()", Ct);
        end = await cluster.GenerateWalAsync(rows: 100, switchWal: false);
        await run.WaitForFlushAsync(end, Timeout);
        var partial = Path.Combine(run.Directory, WalFileName.Format(1, end, segmentSize) + ".partial");
        Assert.Equal(segmentSize.Bytes, new FileInfo(partial).Length); // written into, never grown
        await WaitUntilAsync(() => File.Exists(spare)); // and the one after it is being prepared

        receiver.Signal(PosixSignal.Terminate);
        Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));

        Assert.False(File.Exists(spare), "the spare is removed at a stop");
        var complete = await ArchiveAssert.MatchesServerAsync(cluster, run.Directory, minimumComplete: 4);
        Assert.True(complete >= 4, $"{complete} complete segments");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the preallocated file");
            await Task.Delay(20, Ct);
        }
    }
}

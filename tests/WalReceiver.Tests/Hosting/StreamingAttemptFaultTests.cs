using Microsoft.Extensions.Logging.Abstractions;
using WalReceiver.Diagnostics;
using WalReceiver.Hosting;
using WalReceiver.Tests.Storage;
using WalReceiver.Tests.Wal;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Hosting;

/// <summary>
/// The attempt under a failing fsync: whichever fsync fails (while the stream pauses, at a segment end, at a stop, at the
/// end position), the flush position reported never moves past the last good fsync and the attempt ends as a failure.
/// </summary>
public sealed class StreamingAttemptFaultTests
{
    private static readonly Lsn Start = Lsn.Parse("0/100000");
    private const int Segment = 1 << 20;

    private static byte[] Wal(int length) => TestWal.Make(Start, length, 2);

    // The archive already knows its cluster, so the only fsyncs are the WAL's.
    private static WalReceiverOptions Options(TempDirectory dir, string? endpos = null, TimeSpan? idle = null)
    {
        File.WriteAllText(dir.File("walreceiver.systemid"), $"{WalBuilder.SystemId}\n");
        return new()
        {
            Directory = dir.Path,
            ConnectionString = "unused",
            Slot = "s",
            EndPosition = endpos,
            IdleFlushDelay = idle ?? TimeSpan.FromMilliseconds(20),
        };
    }

    private static CancellationToken Within(TimeSpan timeout)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        return cts.Token;
    }

    [Fact]
    public async Task Failed_fsync_while_the_stream_pauses_ends_the_attempt_and_reports_nothing_new()
    {
        using var dir = new TempDirectory();
        var source = new FakeWalSource(Wal(5000), Start, 1000, FakeWalSource.MakeIdentity());
        var attempt = new StreamingAttempt(Options(dir), source, TimeProvider.System, NullLogger.Instance, sync: new FailingFileSync(fileSyncsBeforeFailing: 0));

        var e = await Assert.ThrowsAsync<WalReceiverException>(() => attempt.RunAsync(Within(TimeSpan.FromSeconds(20))));

        Assert.True(e.IsDurabilityFailure, e.Message);
        Assert.Equal(FailureKind.Transient, e.Kind);
        Assert.Equal(Start, source.ReportedFlush);
        Assert.All(source.StatusUpdates, lsn => Assert.Equal(Start, lsn));
    }

    [Fact]
    public async Task Failed_fsync_at_a_segment_end_keeps_the_segment_partial_and_unreported()
    {
        using var dir = new TempDirectory();
        var wal = Wal(Segment + Segment / 2);
        var source = new FakeWalSource(wal, Start, 8192, FakeWalSource.MakeIdentity());
        var attempt = new StreamingAttempt(Options(dir, (Start + (ulong)wal.Length).ToString()), source, TimeProvider.System, NullLogger.Instance,
            sync: new FailingFileSync(fileSyncsBeforeFailing: 0));

        var e = await Assert.ThrowsAsync<WalReceiverException>(() => attempt.RunAsync(Within(TimeSpan.FromSeconds(20))));

        Assert.True(e.IsDurabilityFailure, e.Message);
        Assert.Equal(Start, source.ReportedFlush);
        Assert.False(File.Exists(dir.File("000000010000000000000001")));

        // The next attempt (a new descriptor) streams the segment again from its start and completes it.
        var again = new StreamingAttempt(Options(dir, (Start + (ulong)wal.Length).ToString()), source, TimeProvider.System, NullLogger.Instance);
        Assert.Equal(AttemptResult.EndPositionReached, await again.RunAsync(Within(TimeSpan.FromSeconds(20))));
        Assert.Equal(wal.AsSpan(0, Segment).ToArray(), await File.ReadAllBytesAsync(dir.File("000000010000000000000001"), TestContext.Current.CancellationToken));
        Assert.Equal(Start + (ulong)wal.Length, source.ReportedFlush);
    }

    [Fact]
    public async Task Stop_after_a_failed_final_fsync_is_a_failure_not_a_clean_stop()
    {
        using var dir = new TempDirectory();
        var wal = Wal(5000);
        var source = new FakeWalSource(wal, Start, 1000, FakeWalSource.MakeIdentity());
        var sync = new FailingFileSync();
        var attempt = new StreamingAttempt(Options(dir, idle: TimeSpan.FromMinutes(5)), source, TimeProvider.System, NullLogger.Instance, sync: sync);
        using var stop = new CancellationTokenSource();
        var run = attempt.RunAsync(stop.Token);
        await WaitUntilAsync(() => attempt.BytesWritten == (ulong)wal.Length);
        sync.FailFilesFromNow();

        await stop.CancelAsync();
        var e = await Assert.ThrowsAsync<WalReceiverException>(() => run);

        Assert.True(e.IsDurabilityFailure, e.Message);
        Assert.Equal(Start, source.ReportedFlush);
    }

    [Fact]
    public async Task End_position_after_a_failed_fsync_is_a_failure()
    {
        using var dir = new TempDirectory();
        var wal = Wal(5000);
        var source = new FakeWalSource(wal, Start, 1000, FakeWalSource.MakeIdentity());
        var attempt = new StreamingAttempt(Options(dir, (Start + (ulong)wal.Length).ToString(), idle: TimeSpan.FromMinutes(5)), source,
            TimeProvider.System, NullLogger.Instance, sync: new FailingFileSync(fileSyncsBeforeFailing: 0));

        var e = await Assert.ThrowsAsync<WalReceiverException>(() => attempt.RunAsync(Within(TimeSpan.FromSeconds(20))));

        Assert.True(e.IsDurabilityFailure, e.Message);
        Assert.Equal(Start, source.ReportedFlush);
    }

    [Fact]
    public async Task Wal_that_keeps_trickling_in_is_flushed_and_reported_at_least_every_MaxUnflushedAge()
    {
        using var dir = new TempDirectory();
        var wal = Wal(60 * 500);
        // A message every 25 ms: the stream never pauses for the (long) idle delay, and never fills a segment.
        var source = new FakeWalSource(wal, Start, 500, FakeWalSource.MakeIdentity(), pacing: TimeSpan.FromMilliseconds(25));
        var options = Options(dir, (Start + (ulong)wal.Length).ToString(), idle: TimeSpan.FromMinutes(5));
        options.MaxUnflushedAge = TimeSpan.FromMilliseconds(150);
        var attempt = new StreamingAttempt(options, source, TimeProvider.System, NullLogger.Instance);

        Assert.Equal(AttemptResult.EndPositionReached, await attempt.RunAsync(Within(TimeSpan.FromSeconds(30))));

        // About 1.5 s of trickle: several flushes while it lasted, each reporting a position further on, not only the last.
        var before = source.StatusUpdates.Where(l => l > Start && l < Start + (ulong)wal.Length).Distinct().ToList();
        Assert.True(before.Count >= 3, $"reported while WAL kept arriving: {string.Join(", ", before)}");
    }

    [Fact]
    public async Task Disk_error_while_planning_the_start_is_retryable_and_says_what_failed()
    {
        using var dir = new TempDirectory();
        var source = new FakeWalSource(Wal(10), Start, 10, FakeWalSource.MakeIdentity());
        var options = new WalReceiverOptions { Directory = dir.Path, ConnectionString = "unused", Slot = "s" };
        var attempt = new StreamingAttempt(options, source, TimeProvider.System, NullLogger.Instance, sync: new FailingFileSync(fileSyncsBeforeFailing: 0));

        var e = await Assert.ThrowsAsync<WalReceiverException>(() => attempt.RunAsync(Within(TimeSpan.FromSeconds(20))));

        Assert.Equal(FailureKind.Transient, e.Kind);
        Assert.Contains("could not record the archive's system identifier", e.Message, StringComparison.Ordinal);
        Assert.Contains(dir.Path, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path, "0*"));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}

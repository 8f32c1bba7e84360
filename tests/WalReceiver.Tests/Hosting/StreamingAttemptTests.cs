using Microsoft.Extensions.Logging.Abstractions;
using WalReceiver.Diagnostics;
using WalReceiver.Hosting;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Hosting;

public sealed class StreamingAttemptTests
{
    private static readonly Lsn Start = Lsn.Parse("0/100000");
    private const int Segment = 1 << 20;

    private static byte[] Wal(int length) => TestWal.Make(Start, length, 1);

    // A .partial closed cleanly holds the WAL received, then zeros up to the segment size.
    internal static void AssertPartial(byte[] expected, string path)
    {
        var partial = File.ReadAllBytes(path);
        Assert.Equal(Segment, partial.Length);
        Assert.Equal(expected, partial.AsSpan(0, expected.Length).ToArray());
        Assert.True(partial.AsSpan(expected.Length).IndexOfAnyExcept((byte)0) < 0, "the padding is not zeros");
    }

    private static WalReceiverOptions Options(TempDirectory dir, string? slot, string? endpos, bool synchronous = false) => new()
    {
        Directory = dir.Path,
        ConnectionString = "unused",
        Slot = slot,
        EndPosition = endpos,
        Synchronous = synchronous,
        IdleFlushDelay = TimeSpan.FromMilliseconds(20),
    };

    [Fact]
    public async Task Reports_flush_only_for_fsynced_bytes_and_stops_at_endpos()
    {
        using var dir = new TempDirectory();
        var wal = Wal(Segment + Segment / 2);
        var end = Start + (ulong)wal.Length;
        var source = new FakeWalSource(wal, Start, 8192, FakeWalSource.MakeIdentity());
        var attempt = new StreamingAttempt(Options(dir, "s", end.ToString()), source, TimeProvider.System, NullLogger.Instance);

        Assert.Equal(AttemptResult.EndPositionReached, await attempt.RunAsync(TestContext.Current.CancellationToken));

        Assert.Equal(end, source.ReportedFlush);
        Assert.All(source.StatusUpdates, lsn => Assert.True(lsn == Start + Segment || lsn == end, $"reported {lsn}, not an fsynced position"));
        Assert.Equal(wal.AsSpan(0, Segment).ToArray(), await File.ReadAllBytesAsync(dir.File("000000010000000000000001"), TestContext.Current.CancellationToken));
        AssertPartial(wal.AsSpan(Segment).ToArray(), dir.File("000000010000000000000002.partial"));
    }

    [Fact]
    public async Task Without_slot_or_synchronous_reports_no_flush_position()
    {
        using var dir = new TempDirectory();
        var wal = Wal(Segment + 100);
        var source = new FakeWalSource(wal, Start, 8192, FakeWalSource.MakeIdentity());
        var attempt = new StreamingAttempt(Options(dir, null, (Start + (ulong)wal.Length).ToString()), source, TimeProvider.System,
            NullLogger.Instance);
        await attempt.RunAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Lsn.Invalid, source.ReportedFlush);
    }

    [Fact]
    public async Task Idle_stream_is_flushed_and_reported_then_stop_exits_cleanly()
    {
        using var dir = new TempDirectory();
        var wal = Wal(5000);
        var source = new FakeWalSource(wal, Start, 1000, FakeWalSource.MakeIdentity());
        var attempt = new StreamingAttempt(Options(dir, "s", null), source, TimeProvider.System, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = attempt.RunAsync(stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var end = Start + (ulong)wal.Length;
        while (source.ReportedFlush != end && DateTime.UtcNow < deadline)
            await Task.Delay(10, TestContext.Current.CancellationToken);
        Assert.Equal(end, source.ReportedFlush); // the idle flusher fsynced and reported without new WAL
        await stop.CancelAsync();
        Assert.Equal(AttemptResult.Stopped, await run);
        AssertPartial(wal, dir.File("000000010000000000000001.partial"));
    }

    [Fact]
    public async Task Logs_catch_up_progress_while_more_than_a_segment_behind()
    {
        using var dir = new TempDirectory();
        var wal = Wal(64 * 1024);
        var source = new FakeWalSource(wal, Start, 1024, FakeWalSource.MakeIdentity(), pacing: TimeSpan.FromMilliseconds(5), serverAhead: 8UL << 20);
        var options = Options(dir, "s", (Start + (ulong)wal.Length).ToString());
        options.LogProgress = true;
        options.ProgressInterval = TimeSpan.FromMilliseconds(50);
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger();
        await new StreamingAttempt(options, source, TimeProvider.System, logger).RunAsync(TestContext.Current.CancellationToken);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Message.StartsWith("catching up: 8.", StringComparison.Ordinal)
            && r.Message.Contains("MB/s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refuses_to_be_a_remote_write_synchronous_standby()
    {
        using var dir = new TempDirectory();
        var source = new FakeWalSource(Wal(10), Start, 10, FakeWalSource.MakeIdentity("remote_write", "FIRST 1 (other, \"walreceiver\")"));
        var attempt = new StreamingAttempt(Options(dir, "s", null, synchronous: true), source, TimeProvider.System, NullLogger.Instance);
        var e = await Assert.ThrowsAsync<WalReceiverException>(() => attempt.RunAsync(TestContext.Current.CancellationToken));
        Assert.Equal(FailureKind.Configuration, e.Kind);
        Assert.Contains("remote_write", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Archive_on_a_newer_timeline_than_the_server_is_refused()
    {
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.File("000000020000000000000001.partial"), new byte[10], TestContext.Current.CancellationToken);
        var source = new FakeWalSource(Wal(10), Start, 10, FakeWalSource.MakeIdentity());
        var attempt = new StreamingAttempt(Options(dir, "s", null), source, TimeProvider.System, NullLogger.Instance);
        var e = await Assert.ThrowsAsync<WalReceiverException>(() => attempt.RunAsync(TestContext.Current.CancellationToken));
        Assert.Equal(FailureKind.ArchiveDamage, e.Kind);
    }
}

using System.Buffers.Binary;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using WalReceiver.Diagnostics;
using WalReceiver.Hosting;
using WalReceiver.Tests.Wal;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Hosting;

/// <summary>
/// The attempt verifies WAL before archiving it: damaged WAL from the server ends the attempt before any of it is in a
/// complete segment or reported flushed, and a segment is completed only once the record crossing its end arrived whole.
/// </summary>
public sealed class StreamingAttemptVerificationTests
{
    private static readonly Lsn Start = Lsn.Parse("0/100000");
    private static readonly Lsn SegmentEnd = Lsn.Parse("0/200000");
    private static readonly WalSegmentSize OneMb = new(1 << 20);
    private const int Segment = 1 << 20;
    private const string FirstSegment = "000000010000000000000001";
    private const string SecondSegment = "000000010000000000000002";

    private static WalReceiverOptions Options(TempDirectory dir, Lsn end, bool verify = true) => new()
    {
        Name = "v",
        Directory = dir.Path,
        ConnectionString = "unused",
        Slot = "s",
        EndPosition = end.ToString(),
        Verify = verify,
        IdleFlushDelay = TimeSpan.FromMilliseconds(20),
    };

    private static CancellationToken Within(TimeSpan timeout)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        return cts.Token;
    }

    [Fact]
    public async Task Flipped_record_byte_fails_the_attempt_before_the_record_is_archived_or_reported()
    {
        var wal = Segments(out var record);
        var damaged = Flip(wal, record);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var registry = new SourceRegistry(TimeProvider.System);
        using var failures = new MetricCollector<long>(factory, WalReceiverMetrics.MeterName, "walreceiver.verification.failures");
        using var dir = new TempDirectory();
        var source = new FakeWalSource(damaged, Start, 8192, FakeWalSource.MakeIdentity());
        var attempt = new StreamingAttempt(Options(dir, wal.End), source, TimeProvider.System, NullLogger.Instance, registry.Get("v"),
            new WalReceiverMetrics(factory, registry));

        var e = await Assert.ThrowsAsync<WalReceiverException>(() => attempt.RunAsync(Within(TimeSpan.FromSeconds(20))));

        Assert.Equal(FailureKind.Transient, e.Kind);
        Assert.Contains($"failed verification at LSN {record}: record CRC mismatch", e.Message, StringComparison.Ordinal);
        Assert.True(source.ReportedFlush <= record, $"reported {source.ReportedFlush}, past the damaged record at {record}");
        Assert.All(source.StatusUpdates, lsn => Assert.True(lsn <= record, $"reported {lsn}, past the damaged record at {record}"));
        Assert.False(File.Exists(dir.File(FirstSegment)), "the segment holding the damaged record was completed");
        Assert.Empty(Directory.GetFiles(dir.Path, SecondSegment + "*"));
        Assert.Equal(1, failures.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public async Task Without_verification_the_same_damage_is_archived()
    {
        var wal = Segments(out var record);
        var damaged = Flip(wal, record);
        using var dir = new TempDirectory();
        var source = new FakeWalSource(damaged, Start, 8192, FakeWalSource.MakeIdentity());
        var attempt = new StreamingAttempt(Options(dir, wal.End, verify: false), source, TimeProvider.System, NullLogger.Instance);

        Assert.Equal(AttemptResult.EndPositionReached, await attempt.RunAsync(Within(TimeSpan.FromSeconds(20))));

        var complete = await File.ReadAllBytesAsync(dir.File(FirstSegment), TestContext.Current.CancellationToken);
        Assert.Equal(damaged.AsSpan(0, Segment).ToArray(), complete);
        Assert.NotEqual(wal.ToArray()[FlipOffset(wal, record)], complete[FlipOffset(wal, record)]);
        Assert.Equal(wal.End, source.ReportedFlush);
    }

    [Fact]
    public async Task Bad_page_magic_fails_the_attempt_at_that_page()
    {
        var wal = Segments(out _);
        var damaged = wal.ToArray();
        var page = Start + WalPageHeader.PageSize;
        BinaryPrimitives.WriteUInt16LittleEndian(damaged.AsSpan(wal.OffsetOf(page)), 0xFFFF);
        using var dir = new TempDirectory();
        var source = new FakeWalSource(damaged, Start, 8192, FakeWalSource.MakeIdentity());
        var attempt = new StreamingAttempt(Options(dir, wal.End), source, TimeProvider.System, NullLogger.Instance);

        var e = await Assert.ThrowsAsync<WalReceiverException>(() => attempt.RunAsync(Within(TimeSpan.FromSeconds(20))));

        Assert.Equal(FailureKind.Transient, e.Kind);
        Assert.Contains($"failed verification at LSN {page}: page header magic 0xFFFF, expected 0xD110", e.Message, StringComparison.Ordinal);
        Assert.True(source.ReportedFlush <= page, $"reported {source.ReportedFlush}, past the damaged page {page}");
        Assert.False(File.Exists(dir.File(FirstSegment)));
    }

    /// <summary>
    /// The server's messages stop at the segment end, or inside the tail of the record crossing it: the full segment
    /// stays <c>.partial</c> and only WAL before that record is reported; then a stop, or the rest of the record.
    /// </summary>
    [Theory]
    [InlineData(0, true)]
    [InlineData(8192, true)]
    [InlineData(0, false)]
    [InlineData(8192, false)]
    public async Task Full_segment_waits_for_the_record_crossing_its_end(int heldPastEnd, bool stop)
    {
        var wal = new WalBuilder(OneMb, Start, seed: 4).Fill(Lsn.Parse("0/1FC000"));
        var spanning = wal.Record(40_000);
        wal.Fill(Lsn.Parse("0/210000"));
        Assert.True(spanning < SegmentEnd && spanning + 40_000 > SegmentEnd + (ulong)heldPastEnd, $"the record at {spanning} does not cross the hold");
        var bytes = wal.ToArray();
        using var dir = new TempDirectory();
        var source = new FakeWalSource(bytes, Start, 8192, FakeWalSource.MakeIdentity()) { HoldAt = SegmentEnd + (ulong)heldPastEnd };
        var attempt = new StreamingAttempt(Options(dir, wal.End), source, TimeProvider.System, NullLogger.Instance);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(Within(TimeSpan.FromSeconds(20)));
        var run = attempt.RunAsync(stopping.Token);

        await source.Holding.Task.WaitAsync(Within(TimeSpan.FromSeconds(10)));
        // The pause gets everything received flushed; what may be reported ends where the incomplete record starts.
        await WaitUntilAsync(() => source.ReportedFlush >= spanning);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.False(File.Exists(dir.File(FirstSegment)), "the segment was completed before the record crossing its end arrived");
        Assert.True(File.Exists(dir.File(FirstSegment + ".partial")));
        Assert.Empty(Directory.GetFiles(dir.Path, SecondSegment + "*"));
        Assert.Equal(spanning, source.ReportedFlush);
        Assert.All(source.StatusUpdates, lsn => Assert.True(lsn <= spanning, $"reported {lsn}, inside the record at {spanning} before its tail arrived"));

        if (stop)
        {
            await stopping.CancelAsync();
            Assert.Equal(AttemptResult.Stopped, await run);
            Assert.Equal(bytes.AsSpan(0, Segment).ToArray(), await File.ReadAllBytesAsync(dir.File(FirstSegment + ".partial"), TestContext.Current.CancellationToken));
            Assert.False(File.Exists(dir.File(FirstSegment)));
            Assert.Empty(Directory.GetFiles(dir.Path, SecondSegment + "*"));
            Assert.All(source.StatusUpdates, lsn => Assert.True(lsn <= spanning, $"reported {lsn} at the stop, inside the record at {spanning}"));
        }
        else
        {
            source.Release.SetResult();
            Assert.Equal(AttemptResult.EndPositionReached, await run);
            Assert.Equal(bytes.AsSpan(0, Segment).ToArray(), await File.ReadAllBytesAsync(dir.File(FirstSegment), TestContext.Current.CancellationToken));
            Assert.False(File.Exists(dir.File(FirstSegment + ".partial")));
            StreamingAttemptTests.AssertPartial(bytes.AsSpan(Segment).ToArray(), dir.File(SecondSegment + ".partial"));
            Assert.Equal(wal.End, source.ReportedFlush);
        }
    }

    /// <summary>A segment and a half of WAL; <paramref name="record"/> is one in the first segment that lies within one page.</summary>
    private static WalBuilder Segments(out Lsn record)
    {
        var wal = new WalBuilder(OneMb, Start, seed: 3).Fill(Start + (ulong)(Segment + (Segment / 2)));
        record = wal.Records.First(r => r.Start > Lsn.Parse("0/180000") && r.Length >= 100
            && (int)(r.Start.Value % WalPageHeader.PageSize) + r.Length <= WalPageHeader.PageSize).Start;
        return wal;
    }

    // A byte of the record's body: only the CRC can tell it changed.
    private static int FlipOffset(WalBuilder wal, Lsn record) => wal.OffsetOf(record) + 50;

    private static byte[] Flip(WalBuilder wal, Lsn record)
    {
        var bytes = wal.ToArray();
        bytes[FlipOffset(wal, record)] ^= 0x10;
        return bytes;
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

using System.Diagnostics;
using System.Globalization;
using WalReceiver.IntegrationTests.Fixtures;

namespace WalReceiver.IntegrationTests.Verification;

/// <summary>The streaming verifier on PostgreSQL 15's own WAL: every record must check, and any flipped byte must not.</summary>
public sealed class WalStreamVerifierTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(1, 20_000)]
    [InlineData(16, 150_000)]
    public async Task Every_record_of_real_segments_verifies(int segmentSizeMb, int rows)
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: segmentSizeMb), Ct);
        var wal = await ServerWal.GenerateAsync(cluster, rows, Ct);
        Assert.True(wal.Segments.Count >= 3, $"only {wal.Segments.Count} complete segments");

        var verifier = wal.Verifier();
        var position = wal.Start;
        foreach (var segment in wal.Segments)
        {
            var error = verifier.Append(position, segment);
            Assert.True(error is null, $"segment at {position}: {error}");
            position += (ulong)segment.Length;
        }

        Assert.True(verifier.RecordsChecked > 1000, $"only {verifier.RecordsChecked} records checked");
        Assert.True(verifier.VerifiedUpTo.Value > position.Value - (ulong)wal.SegmentSize.Bytes, $"verified only up to {verifier.VerifiedUpTo}");
        ReportSpeed(wal, verifier.RecordsChecked);
    }

    [Fact]
    public async Task A_flipped_byte_inside_a_record_is_reported_at_that_record()
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), Ct);
        var wal = await ServerWal.GenerateAsync(cluster, 5_000, Ct);
        var bytes = wal.Concatenated();
        var random = new Random();
        var flipped = 0;
        while (flipped < 20)
        {
            var at = random.Next(bytes.Length);
            if (RecordProbe.RecordHolding(wal.Verifier, wal.Start, bytes, at, bytes.Length, wal.SegmentSize) is not { } record)
                continue;
            var damaged = (byte[])bytes.Clone();
            damaged[at] ^= (byte)(1 << random.Next(8));

            var error = wal.Verifier().Append(wal.Start, damaged);

            Assert.True(error is not null, $"no error for a flip at {wal.Start + (ulong)at}");
            Assert.True(error.Lsn == record, $"flip at {wal.Start + (ulong)at} in the record at {record}, reported {error}");
            Assert.Matches("record CRC mismatch|xl_prev", error.Problem);
            flipped++;
        }
    }

    private static void ReportSpeed(ServerWal wal, long records)
    {
        var stopwatch = Stopwatch.StartNew();
        long bytes = 0;
        var rounds = 0;
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(2))
        {
            var verifier = wal.Verifier();
            var position = wal.Start;
            foreach (var segment in wal.Segments)
            {
                Assert.Null(verifier.Append(position, segment));
                position += (ulong)segment.Length;
                bytes += segment.Length;
            }

            rounds++;
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"WalStreamVerifier: {wal.Segments.Count} segments of {wal.SegmentSize}, {records} records, {rounds} rounds: " +
            $"{bytes / seconds / 1e6:F0} MB/s ({bytes / seconds / 1e9:F2} GB/s), {records * rounds / seconds / 1e6:F1} M records/s"));
    }
}

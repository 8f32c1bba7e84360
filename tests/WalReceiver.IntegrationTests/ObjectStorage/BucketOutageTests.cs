using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.ObjectStorage;

/// <summary>
/// <c>receive --target ... --durability uploaded --keep-local 2</c> while the S3 server is killed in the middle of uploads
/// and started again: nothing is lost, the bucket ends with every segment without a gap, byte for byte as the server
/// has it, the slot never releases WAL the bucket does not hold, and local copies go only once uploaded.
/// </summary>
public sealed class BucketOutageTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly WalSegmentSize Size = new(1 << 20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_outage_of_the_bucket_loses_nothing_leaves_no_gap_and_holds_the_slot_until_the_bucket_has_the_WAL()
    {
        await using var s3 = await S3Server.StartAsync(Ct);
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), Ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "outage");
        var environment = s3.Environment;
        environment["PGAPPNAME"] = run.ApplicationName;
        await using var receiver = ReceiverProcess.Start(
            ["receive", "-D", run.Directory, "-S", run.Slot, .. ReceiverProcess.ConnectionArgs(cluster), "--target", $"s3://{s3.Bucket}/main",
                "--durability", "uploaded", "--keep-local", "2"],
            environment);

        // Before the outage: the flush the server sees is what the bucket holds.
        var before = await cluster.GenerateWalAsync(10_000, ct: Ct);
        await run.WaitForFlushAsync(before, Timeout);
        await AssertBucketHoldsAsync(s3, cluster, run.Start, before);

        // Killed while segments are still arriving and being uploaded; more are completed while it is down.
        await cluster.GenerateWalAsync(20_000, ct: Ct);
        await s3.KillAsync();
        var after = await cluster.GenerateWalAsync(20_000, ct: Ct);
        await receiver.WaitForStderrAsync("could not upload", Timeout);
        var lastSegment = WalFileName.Format(1, Size.SegmentOf(after) - 1, Size);
        await CliTestSupport.WaitUntilAsync(() => Task.FromResult(File.Exists(Path.Combine(run.Directory, lastSegment))), Timeout,
            () => $"{lastSegment} to be complete in the local archive");
        var held = await ReportedFlushAsync(cluster, run);
        Assert.True(held < after, $"the server was told {held} is safe while the bucket was down (local end {after})");
        Assert.True(held >= before, $"{held} went back before {before}");
        // Nothing that is not in the bucket is removed locally: every segment from the one at the held position on is there.
        for (var segment = Size.SegmentOf(held); segment < Size.SegmentOf(after); segment++)
            Assert.True(File.Exists(Path.Combine(run.Directory, WalFileName.Format(1, segment, Size))), $"segment {segment:X} removed before upload");
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        Assert.Equal(held, await ReportedFlushAsync(cluster, run));

        // Back: the backlog goes up, the slot follows, and local copies beyond the newest two go.
        await s3.RestartAsync(Ct);
        try
        {
            await run.WaitForFlushAsync(after, Timeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; the receiver said:\n{receiver.Stderr}", e);
        }
        await AssertBucketHoldsAsync(s3, cluster, run.Start, after);
        var local = Directory.GetFiles(run.Directory).Select(Path.GetFileName).OfType<string>()
            .Where(n => n.Length == 24 && WalFileName.IsUpperHex(n)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([WalFileName.Format(1, Size.SegmentOf(after) - 2, Size), lastSegment], local);
        var restartLsn = Lsn.Parse((await cluster.QueryScalarAsync<string>($"select restart_lsn::text from pg_replication_slots where slot_name = '{run.Slot}'", Ct))!);
        Assert.True(restartLsn >= after, $"the slot's restart_lsn {restartLsn} did not follow the bucket to {after}");

        // A segment completed just before the stop: the stop waits for its upload and leaves the slot where the bucket ends.
        var last = await cluster.GenerateWalAsync(100, ct: Ct);
        receiver.Signal(PosixSignal.Interrupt);
        Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));
        restartLsn = Lsn.Parse((await cluster.QueryScalarAsync<string>($"select restart_lsn::text from pg_replication_slots where slot_name = '{run.Slot}'", Ct))!);
        Assert.True(restartLsn >= last, $"the slot's restart_lsn {restartLsn} was left behind the bucket's end {last} at the stop");
        await AssertBucketHoldsAsync(s3, cluster, run.Start, last);

        // The local archive, trimmed by --keep-local: its verify tells of the removed segments in one line, not one warning each.
        await using (var verify = ReceiverProcess.Start(["verify", "-D", run.Directory]))
        {
            Assert.True(await verify.WaitForExitAsync(Timeout) == 0, verify.Stdout);
            Assert.Contains("segments before the directory's first", verify.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("but the file is gone", verify.Stdout, StringComparison.Ordinal);
        }

        // The bucket alone, as verify sees it: no gap, every CRC and every object's SHA-256 as the manifest had it.
        var (code, report) = await ReceiverProcess.RunAsync(["verify", "--target", $"s3://{s3.Bucket}/main"], Timeout, s3.Environment);
        Assert.True(code == 0, report);
    }

    // Every segment from the run's start to the one before end is in the bucket, as the server has it: no gap, no extra.
    private static async Task AssertBucketHoldsAsync(S3Server s3, PostgresCluster cluster, Lsn start, Lsn end)
    {
        var keys = (await s3.KeysAsync("main/", Ct)).Select(k => k["main/".Length..]).Where(k => !k.EndsWith(".history", StringComparison.Ordinal)).ToList();
        var expected = new List<string>();
        for (var segment = Size.SegmentOf(start); segment < Size.SegmentOf(end); segment++)
            expected.Add(WalFileName.Format(1, segment, Size));
        Assert.Equal(expected, keys.Take(expected.Count));
        foreach (var name in expected)
        {
            var server = await cluster.ReadWalFileAsync(name, Ct);
            var bucket = await s3.GetAsync("main/" + name, Ct);
            Assert.True(server.AsSpan().SequenceEqual(bucket), $"{name} in the bucket differs from pg_wal");
        }
    }

    private static async Task<Lsn> ReportedFlushAsync(PostgresCluster cluster, ArchiveRun run) =>
        Lsn.Parse((await cluster.QueryScalarAsync<string>($"select flush_lsn::text from pg_stat_replication where application_name = '{run.ApplicationName}'", Ct))!);
}

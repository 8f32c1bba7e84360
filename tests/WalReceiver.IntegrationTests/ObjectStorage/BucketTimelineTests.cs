using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;

namespace WalReceiver.IntegrationTests.ObjectStorage;

/// <summary>A promotion while streaming into a bucket: the new timeline's history file goes up with its segments.</summary>
public sealed class BucketTimelineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_history_file_of_a_promotion_reaches_the_bucket_with_the_new_timelines_segments()
    {
        await using var s3 = await S3Server.StartAsync(Ct);
        await using var primary = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        await using var standby = await primary.CreateStandbyAsync(Ct);
        await using var run = await ArchiveRun.StartAsync(standby, "bucket_promote");
        var environment = s3.Environment;
        environment["PGAPPNAME"] = run.ApplicationName;
        await using (var receiver = ReceiverProcess.Start(
            ["receive", "-D", run.Directory, "-S", run.Slot, .. ReceiverProcess.ConnectionArgs(standby), "--target", $"s3://{s3.Bucket}/tl",
                "--durability", "uploaded", "-v"],
            environment))
        {
            await receiver.WaitForStderrAsync("starting log streaming", Timeout);
            var before = await primary.GenerateWalAsync(8_000, switchWal: false);
            await standby.WaitForReplayAsync(before);

            await standby.PromoteAsync(Ct);
            // With --durability uploaded the server hears of a position only once its segment is in the bucket.
            var after = await standby.GenerateWalAsync(8_000);
            await run.WaitForFlushAsync(after, Timeout);
            receiver.Signal(PosixSignal.Terminate);
            Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));
        }

        var complete = Directory.GetFiles(run.Directory).Select(Path.GetFileName).OfType<string>()
            .Where(n => n.StartsWith("0000", StringComparison.Ordinal) && !n.EndsWith(".partial", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Contains("00000002.history", complete);
        Assert.Contains(complete, n => n.StartsWith("00000002", StringComparison.Ordinal) && n.Length == 24);
        Assert.Equal(complete.Select(n => "tl/" + n), await s3.KeysAsync("tl/", Ct));
        foreach (var name in complete)
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(run.Directory, name), Ct), await s3.GetAsync("tl/" + name, Ct));
        Assert.Equal(await standby.ReadWalFileAsync("00000002.history", Ct), await s3.GetAsync("tl/00000002.history", Ct));

        // What recovery onto the new timeline asks the bucket for: the history file, and the new timeline's segments.
        var restoreDirectory = CliTestSupport.CreateDirectory(Path.GetTempPath(), "bucket-tl-restore");
        try
        {
            foreach (var name in complete.Where(n => n.StartsWith("00000002", StringComparison.Ordinal)))
            {
                var destination = Path.Combine(restoreDirectory, "RECOVERYXLOG");
                var (code, stderr) = await ReceiverProcess.RunAsync(
                    ["restore", "--target", $"s3://{s3.Bucket}/tl", "--prefetch", "0", name, destination], Timeout, s3.Environment);
                Assert.True(code == 0, stderr);
                Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(run.Directory, name), Ct), await File.ReadAllBytesAsync(destination, Ct));
            }
        }
        finally
        {
            CliTestSupport.DeleteDirectory(restoreDirectory);
        }
    }
}

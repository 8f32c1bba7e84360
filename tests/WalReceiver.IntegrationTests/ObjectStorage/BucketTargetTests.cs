using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;

namespace WalReceiver.IntegrationTests.ObjectStorage;

/// <summary>
/// <c>receive --target s3://BUCKET/PREFIX</c> against a real S3-compatible server (s3rver): every completed file reaches the
/// bucket byte for byte as archived locally, files completed before a start are uploaded at that start, and an object
/// with other content is never overwritten.
/// </summary>
public sealed class BucketTargetTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("none")]
    [InlineData("zstd")]
    public async Task Completed_segments_reach_the_bucket_as_archived_and_as_the_server_has_them(string compression)
    {
        await using var s3 = await S3Server.StartAsync(Ct);
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), Ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "bucket");
        await using (var receiver = Start(run, cluster, s3, "-Z", compression))
        {
            await cluster.GenerateWalAsync(20_000, ct: Ct);
            var end = await cluster.GenerateWalAsync(100, switchWal: false, Ct);
            await run.WaitForFlushAsync(end, Timeout);
            receiver.Signal(PosixSignal.Interrupt);
            Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));
        }

        await ArchiveAssert.MatchesServerAsync(cluster, run.Directory, minimumComplete: 2);
        var complete = CompleteFiles(run.Directory);
        Assert.True(complete.Count >= 2, string.Join(", ", complete));
        // Uploaded before the stop returned: the stop waits for the queue.
        Assert.Equal(complete.Select(n => "main/" + n), await s3.KeysAsync("main/", Ct));
        foreach (var name in complete)
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(run.Directory, name), Ct), await s3.GetAsync("main/" + name, Ct));
    }

    [Fact]
    public async Task Files_completed_before_a_start_are_uploaded_then_and_an_object_with_other_content_is_never_overwritten()
    {
        await using var s3 = await S3Server.StartAsync(Ct);
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), Ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "backlog");
        await using (var receiver = run.StartReceiver())
        {
            var end = await cluster.GenerateWalAsync(30_000, ct: Ct);
            await run.WaitForFlushAsync(end, Timeout);
            receiver.Signal(PosixSignal.Interrupt);
            Assert.Equal(0, await receiver.WaitForExitAsync(Timeout));
        }

        var before = CompleteFiles(run.Directory);
        Assert.True(before.Count >= 3, string.Join(", ", before));
        var foreign = "not this cluster's WAL"u8.ToArray();
        await s3.PutAsync("main/" + before[1], foreign, Ct);

        await using (var receiver = Start(run, cluster, s3))
        {
            await receiver.WaitForStderrAsync("already exists with other content", Timeout);
            receiver.Signal(PosixSignal.Interrupt);
            Assert.Equal(0, await receiver.WaitForExitAsync(Timeout)); // the local archive is fine: streaming goes on
        }

        var keys = await s3.KeysAsync("main/", Ct);
        Assert.Equal(before.Select(n => "main/" + n), keys.Where(k => before.Contains(k["main/".Length..])));
        Assert.Equal(foreign, await s3.GetAsync("main/" + before[1], Ct));
        foreach (var name in before.Where(n => n != before[1]))
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(run.Directory, name), Ct), await s3.GetAsync("main/" + name, Ct));
    }

    [Theory]
    [InlineData("bucket/prefix", "write it as s3://BUCKET/PREFIX")]
    [InlineData("s3://Upper_Case/prefix", "is not a bucket name")]
    [InlineData("s3://walarchive/a//b", "has an empty")]
    public async Task A_bad_target_exits_3_naming_the_fix_before_anything_connects(string target, string message)
    {
        var directory = CliTestSupport.CreateDirectory(Path.GetTempPath(), "bucket-bad");
        try
        {
            var (code, stderr) = await ReceiverProcess.RunAsync(["receive", "-D", directory, "-d", "host=127.0.0.1 port=1", "--target", target], Timeout);
            Assert.Equal(3, code);
            Assert.Contains(message, stderr, StringComparison.Ordinal);
        }
        finally
        {
            CliTestSupport.DeleteDirectory(directory);
        }
    }

    [Theory]
    [InlineData(3, "needs a bucket: give --target", "--durability", "uploaded", "-S", "a")]
    [InlineData(3, "makes a slot hold WAL until it is in the bucket: give --slot", "--durability", "uploaded", "--target", "s3://walarchive/x")]
    [InlineData(3, "give --target s3://BUCKET/PREFIX too", "--keep-local", "3")]
    [InlineData(3, "keeps too few: at least 1", "--keep-local", "0", "--target", "s3://walarchive/x")]
    [InlineData(2, "local", "--durability", "bucket")]
    public async Task Bad_durability_or_retention_settings_exit_naming_the_fix_before_anything_connects(int expected, string message, params string[] extra)
    {
        var directory = CliTestSupport.CreateDirectory(Path.GetTempPath(), "bucket-bad");
        try
        {
            var (code, stderr) = await ReceiverProcess.RunAsync(["receive", "-D", directory, "-d", "host=127.0.0.1 port=1", .. extra], Timeout);
            Assert.Equal(expected, code);
            Assert.Contains(message, stderr, StringComparison.Ordinal);
        }
        finally
        {
            CliTestSupport.DeleteDirectory(directory);
        }
    }

    /// <summary>Starts <c>receive</c> on <paramref name="run"/> uploading to <c>s3://BUCKET/main</c> of <paramref name="s3"/>.</summary>
    internal static ReceiverProcess Start(ArchiveRun run, PostgresCluster cluster, S3Server s3, params string[] extra)
    {
        var environment = s3.Environment;
        environment["PGAPPNAME"] = run.ApplicationName;
        return ReceiverProcess.Start(
            ["receive", "-D", run.Directory, "-S", run.Slot, .. ReceiverProcess.ConnectionArgs(cluster), "--target", $"s3://{s3.Bucket}/main", .. extra],
            environment);
    }

    /// <summary>The complete segment and history files of the archive in <paramref name="directory"/>, sorted.</summary>
    internal static List<string> CompleteFiles(string directory) =>
        [.. Directory.GetFiles(directory).Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.EndsWith(".partial", StringComparison.Ordinal) && n.StartsWith("0000", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
}

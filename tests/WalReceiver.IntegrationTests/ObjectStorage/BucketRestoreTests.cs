using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;
using WalReceiver.Storage;

namespace WalReceiver.IntegrationTests.ObjectStorage;

/// <summary>
/// <c>restore --target s3://BUCKET/PREFIX</c> against a real S3-compatible server (s3rver), one process per file as
/// PostgreSQL runs it: every file the receiver uploaded comes back as the archive holds it (decompressed), a file the
/// bucket lacks exits 1, a damaged object, bad credentials or an unreachable endpoint exit 255 with nothing at <c>%p</c>,
/// and prefetched segments are served from the spool only while they are the bucket's bytes from the same --target.
/// </summary>
public sealed class BucketRestoreTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("none")]
    [InlineData("zstd")]
    public async Task Every_uploaded_file_restores_as_archived_a_missing_one_exits_1_and_a_damaged_one_255_writing_nothing(string compression)
    {
        await using var s3 = await S3Server.StartAsync(Ct);
        var (archive, files) = await ArchiveInBucketAsync(s3, compression, switches: 3);
        var work = CliTestSupport.CreateDirectory(Path.GetTempPath(), "bucket-restore");
        try
        {
            var destination = Path.Combine(work, "pg_wal", "RECOVERYXLOG");
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            // A history file as the receiver would upload it after a promotion.
            var history = "1\t0/3000000\tno recovery target specified\n"u8.ToArray();
            await s3.PutAsync("main/00000002.history", history, Ct);
            foreach (var name in files.Select(f => CompressedWal.Split(f).Stem).Append("00000002.history"))
            {
                var (code, stderr) = await RestoreAsync(s3, name, destination, "--prefetch", "0");
                Assert.True(code == 0, stderr);
                var expected = name.EndsWith(".history", StringComparison.Ordinal) ? history : Content(archive, files.Single(f => f.StartsWith(name, StringComparison.Ordinal)));
                Assert.Equal(expected, await File.ReadAllBytesAsync(destination, Ct));
                File.Delete(destination);
            }

            Assert.Equal(1, (await RestoreAsync(s3, "0000000100000000000000FF", destination)).Code);
            Assert.Equal(1, (await RestoreAsync(s3, "00000009.history", destination)).Code);
            Assert.False(Directory.Exists(Path.Combine(work, "pg_wal", ".walreceiver-prefetch")), "a segment the bucket lacks fetches nothing ahead");

            foreach (var key in new[] { "main/000000010000000000000077", "main/000000010000000000000078.zst" })
            {
                await s3.PutAsync(key, "not WAL at all, and longer than a page header is, to be sure of that"u8.ToArray(), Ct);
                var (code, stderr) = await RestoreAsync(s3, key[5..29], destination);
                Assert.Equal(255, code);
                Assert.Contains("is damaged", stderr, StringComparison.Ordinal);
                Assert.False(File.Exists(destination));
                Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(destination)!));
            }

            var first = CompressedWal.Split(files[0]).Stem;
            var badKey = s3.Environment;
            badKey["AWS_ACCESS_KEY_ID"] = "NOT-S3RVER";
            var denied = await ReceiverProcess.RunAsync(["restore", "--target", $"s3://{s3.Bucket}/main", first, destination], Timeout, badKey);
            Assert.Equal(255, denied.ExitCode);
            Assert.Contains("Check the credentials", denied.Stderr, StringComparison.Ordinal);
            var unreachable = await ReceiverProcess.RunAsync(
                ["restore", "--target", $"s3://{s3.Bucket}/main", "--endpoint", $"http://127.0.0.1:{CliTestSupport.ClosedPort()}", first, destination],
                Timeout, s3.Environment);
            Assert.Equal(255, unreachable.ExitCode);
            Assert.Contains("Check --endpoint", unreachable.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(destination));
        }
        finally
        {
            CliTestSupport.DeleteDirectory(archive);
            CliTestSupport.DeleteDirectory(work);
        }
    }

    [Fact]
    public async Task Prefetched_segments_are_served_from_the_spool_without_the_bucket_but_never_when_changed_or_from_another_target()
    {
        var s3 = await S3Server.StartAsync(Ct);
        string archive;
        List<string> files;
        var work = CliTestSupport.CreateDirectory(Path.GetTempPath(), "bucket-prefetch");
        var destination = Path.Combine(work, "pg_wal", "RECOVERYXLOG");
        var spool = Path.Combine(work, "pg_wal", ".walreceiver-prefetch");
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        try
        {
            (archive, files) = await ArchiveInBucketAsync(s3, "zstd", switches: 6);
            var names = files.Select(f => CompressedWal.Split(f).Stem).Where(n => n.Length == 24).ToList();
            Assert.True(names.Count >= 5, string.Join(", ", files));
            var (code, stderr) = await RestoreAsync(s3, names[0], destination, "--prefetch", "3", "-v");
            Assert.True(code == 0, stderr);
            Assert.Contains("prefetched 3 of the 3 segments", stderr, StringComparison.Ordinal);
            Assert.Equal(names[1..4].SelectMany(n => new[] { n + ".zst", n + ".zst.source" }).Order(StringComparer.Ordinal),
                Directory.GetFiles(spool).Select(Path.GetFileName).Order(StringComparer.Ordinal));

            // The spool of names[3] is changed (one byte, same length), then the bucket goes away.
            var tampered = Path.Combine(spool, names[3] + ".zst");
            var bytes = await File.ReadAllBytesAsync(tampered, Ct);
            bytes[^8] ^= 0x40;
            await File.WriteAllBytesAsync(tampered, bytes, Ct);
            await s3.DisposeAsync();

            // names[1] from the spool alone, checked and decompressed as from the bucket; names[2] is there, so nothing is fetched.
            (code, stderr) = await RestoreAsync(s3, names[1], destination, "--prefetch", "3", "-v");
            Assert.True(code == 0, stderr);
            Assert.Contains($"from \"{Path.Combine(spool, names[1] + ".zst")}\"", stderr, StringComparison.Ordinal);
            Assert.Equal(Content(archive, names[1] + ".zst"), await File.ReadAllBytesAsync(destination, Ct));
            Assert.False(File.Exists(Path.Combine(spool, names[1] + ".zst")), "a served segment leaves the spool");

            // Another --target (another archive with the same file names) never gets this spool's files.
            File.Delete(destination);
            (code, stderr) = await RestoreAsync(s3, names[2], destination, "--prefetch", "3", "--target", $"s3://{s3.Bucket}/other");
            Assert.Equal(255, code);
            Assert.Contains("could not be reached", stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(destination));

            // The changed file is refused (its MD5 is no longer the object's ETag) and the bucket is asked instead.
            (code, stderr) = await RestoreAsync(s3, names[3], destination, "--prefetch", "3", "-v");
            Assert.Equal(255, code);
            Assert.Contains("not serving the prefetched copy", stderr, StringComparison.Ordinal);
            Assert.Contains("could not be reached", stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(destination));
            Assert.DoesNotContain(Directory.GetFiles(spool), f => Path.GetFileName(f).StartsWith(names[3], StringComparison.Ordinal));
            CliTestSupport.DeleteDirectory(archive);
        }
        finally
        {
            await s3.DisposeAsync();
            CliTestSupport.DeleteDirectory(work);
        }
    }

    [Theory]
    [InlineData(new[] { "--target", "walarchive/main" }, "write it as s3://BUCKET/PREFIX")]
    [InlineData(new[] { "--target", "s3://Upper_Case/main" }, "is not a bucket name")]
    [InlineData(new[] { "--target", "s3://walarchive/main", "-D", "DIR" }, "not both")]
    [InlineData(new string[0], "no archive to restore from")]
    [InlineData(new[] { "--target", "s3://walarchive/main", "--prefetch", "-1" }, "--prefetch must be 0 (off) or more")]
    [InlineData(new[] { "-D", "DIR", "--prefetch", "2" }, "--prefetch only applies to a bucket")]
    [InlineData(new[] { "--target", "s3://walarchive/main", "--endpoint", "minio:9000" }, "is not an endpoint URL")]
    public async Task A_bad_archive_on_the_command_line_exits_255_naming_the_fix(string[] args, string message)
    {
        var directory = CliTestSupport.CreateDirectory(Path.GetTempPath(), "bucket-restore-bad");
        try
        {
            var destination = Path.Combine(directory, "RECOVERYXLOG");
            var (code, stderr) = await ReceiverProcess.RunAsync(
                ["restore", .. args.Select(a => a == "DIR" ? directory : a), "000000010000000000000001", destination], Timeout);
            Assert.Equal(255, code);
            Assert.Contains(message, stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(destination));
        }
        finally
        {
            CliTestSupport.DeleteDirectory(directory);
        }
    }

    /// <summary>
    /// Streams a cluster of its own with <c>receive --target</c> (1 MB segments, <c>-Z</c> <paramref name="compression"/>),
    /// completing a segment <paramref name="switches"/> times, and returns a copy of the local archive and its complete files.
    /// </summary>
    private static async Task<(string Archive, List<string> Files)> ArchiveInBucketAsync(S3Server s3, string compression, int switches)
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), Ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "bucketrestore");
        await using (var receiver = BucketTargetTests.Start(run, cluster, s3, "-Z", compression))
        {
            await receiver.WaitForStderrAsync("starting log streaming", Timeout);
            await cluster.ExecuteAsync("create table t(x int)", Ct);
            var end = default(WalReceiver.Wal.Lsn);
            for (var i = 0; i < switches; i++)
            {
                await cluster.ExecuteAsync($"insert into t values ({i})", Ct);
                end = await cluster.SwitchWalAsync(Ct);
            }

            await run.WaitForFlushAsync(end, Timeout);
            receiver.Signal(PosixSignal.Interrupt);
            Assert.Equal(0, await receiver.WaitForExitAsync(Timeout)); // the stop waits for the uploads
        }

        var files = BucketTargetTests.CompleteFiles(run.Directory);
        Assert.Equal(files.Select(n => "main/" + n), await s3.KeysAsync("main/", Ct));
        var copy = CliTestSupport.CreateDirectory(Path.GetTempPath(), "bucket-archive");
        foreach (var f in files)
            File.Copy(Path.Combine(run.Directory, f), Path.Combine(copy, f));
        return (copy, files);
    }

    private static async Task<(int Code, string Stderr)> RestoreAsync(S3Server s3, string fileName, string destination, params string[] extra)
    {
        var target = extra.Contains("--target") ? [] : new[] { "--target", $"s3://{s3.Bucket}/main" };
        return await ReceiverProcess.RunAsync(["restore", .. target, "--endpoint", s3.Endpoint, .. extra, fileName, destination], Timeout, s3.Environment);
    }

    /// <summary>The WAL bytes of archive file <paramref name="name"/> (decompressed).</summary>
    private static byte[] Content(string archive, string name)
    {
        using var stream = CompressedWal.OpenRead(Path.Combine(archive, name));
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }
}

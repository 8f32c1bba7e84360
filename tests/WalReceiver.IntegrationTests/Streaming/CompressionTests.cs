using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Streaming;

/// <summary>
/// <c>-Z gzip|lz4|zstd</c>: completed files decompress with the standard tools and with <c>walreceiver restore</c> to
/// exactly the server's segment, a
/// <c>.partial</c> is a valid stream in every state, and resuming and start planning read all three forms.
/// </summary>
public sealed class CompressionTests(SharedCluster shared)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("gzip:1", ".gz", "gzip")]
    [InlineData("5", ".gz", "gzip")]
    [InlineData("lz4", ".lz4", "lz4")]
    [InlineData("lz4:9", ".lz4", "lz4")]
    [InlineData("zstd", ".zst", "zstd")]
    [InlineData("zstd:level=19", ".zst", "zstd")]
    public async Task Compressed_archive_decompresses_with_the_standard_tool_to_the_servers_segments(string spec, string suffix, string tool)
    {
        RequireTool(tool);
        var cluster = shared.Cluster;
        await using var run = await ArchiveRun.StartAsync(cluster, "z" + tool + spec.Length);
        await using var receiver = run.StartReceiver("-Z", spec);
        await receiver.WaitForStderrAsync("starting log streaming", Timeout);
        await cluster.GenerateWalAsync(20_000);
        var end = await cluster.GenerateWalAsync(500, switchWal: false);
        await run.WaitForFlushAsync(end, Timeout);
        receiver.Signal(PosixSignal.Interrupt);
        await ExitsWithAsync(receiver, 0);

        var names = SegmentFiles(run.Directory);
        Assert.All(names, n => Assert.True(n.EndsWith(suffix, StringComparison.Ordinal) || n.EndsWith(suffix + ".partial", StringComparison.Ordinal), n));
        Assert.Single(names, n => n.EndsWith(".partial", StringComparison.Ordinal));
        Assert.True(await ArchiveAssert.MatchesServerAsync(cluster, run.Directory, minimumComplete: 2) >= 2);
        foreach (var name in names)
        {
            var path = Path.Combine(run.Directory, name);
            // The tool accepts every file, the .partial included, and agrees byte for byte with what MatchesServerAsync read.
            var byTool = await DecompressWithToolAsync(tool, path);
            Assert.Equal(await ArchiveAssert.ReadDecompressedAsync(path), byTool);
            if (name.EndsWith(".partial", StringComparison.Ordinal))
                continue;
            // ... and restore_command serves it as the plain segment the server wrote.
            var restored = Path.Combine(run.Directory, "restored");
            var (restoreCode, stderr) = await ReceiverProcess.RunAsync(["restore", "-D", run.Directory, name[..WalFileName.Length], restored], Timeout);
            Assert.True(restoreCode == 0, stderr);
            Assert.Equal(byTool, await File.ReadAllBytesAsync(restored, TestContext.Current.CancellationToken));
            File.Delete(restored);
        }

        await ProcessRunner.RunAsync("sha256sum", ["--quiet", "-c", "walreceiver.sha256"], asServerAccount: false,
            TestContext.Current.CancellationToken, workingDirectory: run.Directory);
        // verify reads what -Z wrote, and its manifest, as it reads a plain archive (the verify tests use plain copies).
        await using var verify = ReceiverProcess.Start(["verify", "-D", run.Directory]);
        var code = await verify.WaitForExitAsync(Timeout);
        Assert.True(code == 0 && verify.Stdout.Contains(": 0 errors, 0 warnings", StringComparison.Ordinal), verify.Stdout + verify.Stderr);
    }

    [Fact]
    public async Task Killed_while_streaming_zstd_leaves_a_partial_the_tool_accepts_and_resumes_without_a_gap()
    {
        RequireTool("zstd");
        // A cluster of its own: on the shared one another test's pg_switch_wal can complete the segment just before the
        // kill, leaving no .partial to look at (seen once in a full run).
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), TestContext.Current.CancellationToken);
        await using var run = await ArchiveRun.StartAsync(cluster, "zkill");
        Lsn first;
        await using (var receiver = run.StartReceiver("-Z", "zstd"))
        {
            await receiver.WaitForStderrAsync("starting log streaming", Timeout);
            first = await cluster.GenerateWalAsync(15_000, switchWal: false);
            await run.WaitForFlushAsync(first, Timeout);
            receiver.Signal(PosixSignal.Kill);
            await receiver.WaitForExitAsync(Timeout);
        }

        // Frames reach the file whole, each with one write, but a SIGKILL can cut the one being written (Linux ends a write
        // between pages for a fatal signal; seen once under heavy load). What zstd decodes is the server's bytes, and it
        // holds everything that was reported flushed.
        var partial = Assert.Single(SegmentFiles(run.Directory), n => n.EndsWith(".zst.partial", StringComparison.Ordinal));
        var decoded = await DecompressWithToolAsync("zstd", Path.Combine(run.Directory, partial), acceptTruncated: true);
        // The receiver may have moved on to a later segment than the flushed LSN's (WAL goes on arriving): then that one
        // is complete, and nothing in the .partial was reported flushed.
        var segmentSize = new WalSegmentSize(cluster.WalSegmentSize);
        var name = partial[..^".zst.partial".Length];
        Assert.True(WalFileName.TryParse(name, segmentSize, out _, out var segment));
        var partialStart = segmentSize.StartOfSegment(segment);
        var flushedHere = first > partialStart ? (long)(first.Value - partialStart.Value) : 0;
        var server = await cluster.ReadWalFileAsync(name, TestContext.Current.CancellationToken);
        Assert.True(decoded.Length >= flushedHere, $"zstd decoded {decoded.Length} bytes of {name}; {flushedHere} were reported flushed");
        Assert.Equal(server.AsSpan(0, decoded.Length).ToArray(), decoded);

        await cluster.GenerateWalAsync(15_000);
        var end = await cluster.GenerateWalAsync(100, switchWal: false);
        await using (var again = run.StartReceiver("-Z", "zstd", "-n", "-E", end.ToString()))
            await ExitsWithAsync(again, 0);
        Assert.Contains(partial[..^".partial".Length], SegmentFiles(run.Directory)); // the killed segment is complete now
        await ArchiveAssert.MatchesServerAsync(cluster, run.Directory, minimumComplete: 2);
    }

    [Fact]
    public async Task A_plain_partial_is_completed_compressed_and_a_compressed_partial_plain()
    {
        var cluster = shared.Cluster;
        await using var run = await ArchiveRun.StartAsync(cluster, "zmix");
        var size = new WalSegmentSize(cluster.WalSegmentSize);
        var plainEnd = await cluster.GenerateWalAsync(100, switchWal: false);
        await using (var plain = run.StartReceiver("-n", "-E", plainEnd.ToString()))
            await ExitsWithAsync(plain, 0);
        var plainPartial = Assert.Single(SegmentFiles(run.Directory), n => n.EndsWith(".partial", StringComparison.Ordinal));

        await cluster.ExecuteAsync("select pg_switch_wal()", TestContext.Current.CancellationToken);
        var lz4End = await cluster.GenerateWalAsync(100, switchWal: false);
        await using (var lz4 = run.StartReceiver("-Z", "lz4", "-n", "-E", lz4End.ToString()))
            await ExitsWithAsync(lz4, 0);
        // As pg_receivewal: the segment that was partial is streamed again from its start and completed in the new form.
        Assert.Contains(plainPartial[..^".partial".Length] + ".lz4", SegmentFiles(run.Directory));
        var lz4Partial = WalFileName.Format(1, lz4End, size) + ".lz4.partial";
        Assert.Contains(lz4Partial, SegmentFiles(run.Directory));

        await cluster.ExecuteAsync("select pg_switch_wal()", TestContext.Current.CancellationToken);
        var plainAgain = await cluster.GenerateWalAsync(100, switchWal: false);
        await using (var last = run.StartReceiver("-n", "-E", plainAgain.ToString()))
            await ExitsWithAsync(last, 0);
        Assert.Contains(WalFileName.Format(1, lz4End, size), SegmentFiles(run.Directory));
    }

    [Fact]
    public async Task A_complete_compressed_file_of_the_wrong_size_does_not_decide_the_start_and_is_never_overwritten()
    {
        var cluster = shared.Cluster;
        await using var run = await ArchiveRun.StartAsync(cluster, "zbad");
        var end = await cluster.GenerateWalAsync(15_000, switchWal: false);
        await using (var receiver = run.StartReceiver("-Z", "zstd", "-n", "-E", end.ToString()))
            await ExitsWithAsync(receiver, 0);
        var newest = SegmentFiles(run.Directory).Where(n => n.EndsWith(".zst", StringComparison.Ordinal)).Max(StringComparer.Ordinal)!;
        var path = Path.Combine(run.Directory, newest);
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(path, bytes.AsSpan(0, bytes.Length / 2).ToArray(), TestContext.Current.CancellationToken);
        foreach (var p in Directory.GetFiles(run.Directory, "*.partial"))
            File.Delete(p);

        var later = await cluster.GenerateWalAsync(100, switchWal: false);
        await using var again = run.StartReceiver("-Z", "zstd", "-n", "-E", later.ToString());
        await ExitsWithAsync(again, 4);
        Assert.Contains(newest, again.Stderr, StringComparison.Ordinal);
        Assert.Contains("refusing to overwrite a complete segment", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(bytes.Length / 2, new FileInfo(path).Length); // left as it was, for a person to look at
    }

    private static async Task ExitsWithAsync(ReceiverProcess receiver, int expected)
    {
        var code = await receiver.WaitForExitAsync(Timeout);
        Assert.True(code == expected, $"exit {code}, expected {expected}: {receiver.Stderr}");
    }

    /// <summary>
    /// Decompresses <paramref name="path"/> with the standard command-line tool; throws if the tool rejects the file, unless
    /// <paramref name="acceptTruncated"/>, which takes what the tool decoded before it found the file cut.
    /// </summary>
    internal static async Task<byte[]> DecompressWithToolAsync(string tool, string path, bool acceptTruncated = false)
    {
        var output = path + ".out";
        try
        {
            var command = acceptTruncated ? $"{tool} -dc \"$1\" > \"$2\" || true" : $"{tool} -dc \"$1\" > \"$2\"";
            await ProcessRunner.RunAsync("bash", ["-c", command, "bash", path, output], asServerAccount: false,
                TestContext.Current.CancellationToken);
            return await File.ReadAllBytesAsync(output, TestContext.Current.CancellationToken);
        }
        finally
        {
            File.Delete(output);
        }
    }

    internal static void RequireTool(string tool) =>
        Prerequisites.Require(Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, tool))),
            $"the {tool} command (apt-get install {tool})");

    private static List<string> SegmentFiles(string directory) =>
        Directory.GetFiles(directory).Select(Path.GetFileName).OfType<string>()
            .Where(n => n.Length >= WalFileName.Length && WalFileName.IsUpperHex(n.AsSpan(0, WalFileName.Length)))
            .Order(StringComparer.Ordinal).ToList();
}

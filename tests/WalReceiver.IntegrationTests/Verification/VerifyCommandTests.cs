using System.Text.Json;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Verification;

/// <summary>
/// <c>walreceiver verify</c> on an archive the receiver wrote: clean, it exits 0; damaged one way at a time, it exits 1
/// (or 0 with a warning, for what does not hurt recovery) and names the file and the LSN.
/// </summary>
public sealed class VerifyCommandTests(ReceivedArchive archive) : IClassFixture<ReceivedArchive>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Clean_archive_verifies_with_exit_0()
    {
        using var copy = archive.Copy();

        var (code, stdout, stderr) = await copy.VerifyAsync();

        Assert.True(code == 0, stdout + stderr);
        Assert.Contains(": 0 errors, 0 warnings", stdout, StringComparison.Ordinal);
        var partial = Assert.Single(Directory.GetFiles(copy.Directory, "*.partial"));
        Assert.Contains($"INFO {Path.GetFileName(partial)}: is the newest segment", stdout, StringComparison.Ordinal);
        using var json = JsonDocument.Parse((await copy.VerifyAsync("--json")).Stdout);
        Assert.Equal(0, json.RootElement.GetProperty("errors").GetInt32());
        Assert.Equal(copy.CompleteSegments().Count + 1, json.RootElement.GetProperty("files").GetInt32());
        Assert.True(json.RootElement.GetProperty("recordsChecked").GetInt64() > 1000, stdout);
    }

    [Fact]
    public async Task Flipped_byte_in_a_complete_segment_is_reported_at_its_record()
    {
        using var copy = archive.Copy();
        var segments = copy.CompleteSegments();
        var bytes = segments.SelectMany(s => File.ReadAllBytes(copy.PathOf(s))).ToArray();
        var start = ArchiveCopy.StartOf(segments[0]);
        var target = segments.Count / 2;
        var size = ReceivedArchive.SegmentSize;
        WalStreamVerifier Create() => new(size, copy.SystemIdOf(segments[0]), 1, start, null);
        var random = new Random();
        Lsn? record = null;
        int at;
        do
        {
            at = target * size.Bytes + random.Next(size.Bytes);
            record = RecordProbe.RecordHolding(Create, start, bytes, at, (target + 1) * size.Bytes, size);
        }
        while (record is null);

        var damaged = File.ReadAllBytes(copy.PathOf(segments[target]));
        damaged[at - target * size.Bytes] ^= 0x10;
        File.WriteAllBytes(copy.PathOf(segments[target]), damaged);
        var (code, stdout, _) = await copy.VerifyAsync();

        Assert.Equal(1, code);
        Assert.Contains($"ERROR {segments[target]}: at LSN {record}: ", stdout, StringComparison.Ordinal);
        // The receiver recorded the segment in walreceiver.sha256 when it completed it, so the manifest disagrees too.
        Assert.Contains($"ERROR {segments[target]}: SHA-256 ", stdout, StringComparison.Ordinal);
        Assert.Contains(": 2 errors", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleted_middle_segment_is_a_gap_named_at_the_next_file()
    {
        using var copy = archive.Copy();
        var segments = copy.CompleteSegments();
        var middle = segments.Count / 2;
        File.Delete(copy.PathOf(segments[middle]));

        var (code, stdout, _) = await copy.VerifyAsync();

        Assert.Equal(1, code);
        Assert.Contains($"ERROR {segments[middle + 1]}: at LSN {ArchiveCopy.StartOf(segments[middle])}: gap: segment {segments[middle]} is missing",
            stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_segment_is_reported_with_its_size()
    {
        using var copy = archive.Copy();
        var name = copy.CompleteSegments()[1];
        using (var file = File.OpenWrite(copy.PathOf(name)))
            file.SetLength(300_000);

        var (code, stdout, _) = await copy.VerifyAsync();

        Assert.Equal(1, code);
        Assert.Contains($"ERROR {name}: at LSN {ArchiveCopy.StartOf(name) + 300_000}: holds 300000 bytes of WAL, but a complete segment has 1048576",
            stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Segment_of_another_cluster_is_reported()
    {
        using var copy = archive.Copy();
        var last = copy.CompleteSegments()[^1];
        var name = WalFileName.Format(1, ReceivedArchive.SegmentSize.SegmentOf(ArchiveCopy.StartOf(last)) + 5, ReceivedArchive.SegmentSize);
        await File.WriteAllBytesAsync(copy.PathOf(name), archive.ForeignSegment, Ct);

        var (code, stdout, _) = await copy.VerifyAsync();

        Assert.Equal(1, code);
        Assert.Contains($"ERROR {name}: at LSN {ArchiveCopy.StartOf(name)}: belongs to another cluster: xlp_sysid ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_from_sha256sum_verifies_and_an_edited_line_is_an_error_until_a_later_line_fixes_it()
    {
        RequireTools("sha256sum");
        using var copy = archive.Copy();
        var segments = copy.CompleteSegments();
        var manifest = copy.PathOf("walreceiver.sha256");
        var lines = await ProcessRunner.RunAsync("sha256sum", segments, asServerAccount: false, Ct, workingDirectory: copy.Directory);
        await File.WriteAllTextAsync(manifest, lines, Ct);
        var clean = await copy.VerifyAsync();
        Assert.True(clean.ExitCode == 0 && clean.Stdout.Contains(": 0 errors, 0 warnings", StringComparison.Ordinal), clean.Stdout);

        var edited = segments[2];
        var line = lines.Split('\n').Single(l => l.EndsWith("  " + edited, StringComparison.Ordinal));
        await File.AppendAllTextAsync(manifest, (line[0] == '0' ? "1" : "0") + line[1..] + "\n", Ct);
        await File.AppendAllTextAsync(manifest, new string('a', 64) + "  000000010000000000000F00\n", Ct);
        var (code, stdout, _) = await copy.VerifyAsync();
        Assert.Equal(1, code);
        Assert.Contains($"ERROR {edited}: SHA-256 {line[..64]} differs from the manifest's", stdout, StringComparison.Ordinal);
        Assert.Contains("WARNING 000000010000000000000F00: is listed in walreceiver.sha256, but the file is gone", stdout, StringComparison.Ordinal);

        await File.AppendAllTextAsync(manifest, line + "\n", Ct);
        Assert.Equal(0, (await copy.VerifyAsync()).ExitCode);
    }

    [Fact]
    public async Task Extra_old_partial_is_a_leftover_warning()
    {
        using var copy = archive.Copy();
        var old = copy.CompleteSegments()[1];
        File.Copy(copy.PathOf(old), copy.PathOf(old + ".partial"));

        var (code, stdout, _) = await copy.VerifyAsync();

        Assert.Equal(0, code);
        Assert.Contains($"WARNING {old}.partial: is a leftover .partial: segment superseded by {old}", stdout, StringComparison.Ordinal);
        Assert.Contains(": 0 errors, 1 warnings", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Archive_compressed_with_gzip_zstd_and_lz4_verifies_the_same_records()
    {
        RequireTools("gzip", "zstd", "lz4");
        using var copy = archive.Copy();
        var plain = JsonDocument.Parse((await copy.VerifyAsync("--json")).Stdout).RootElement.GetProperty("recordsChecked").GetInt64();
        var segments = copy.CompleteSegments();
        for (var i = 0; i < segments.Count; i++)
        {
            var (tool, args) = (i % 3) switch
            {
                0 => ("gzip", new[] { "-n", segments[i] }),
                1 => ("zstd", new[] { "-q", "--rm", segments[i], "-o", segments[i] + ".zst" }),
                _ => ("lz4", new[] { "-q", "--rm", segments[i], segments[i] + ".lz4" }),
            };
            await ProcessRunner.RunAsync(tool, args, asServerAccount: false, Ct, workingDirectory: copy.Directory);
        }

        var partial = Path.GetFileName(Assert.Single(Directory.GetFiles(copy.Directory, "*.partial")));
        var stem = partial[..WalFileName.Length];
        await ProcessRunner.RunAsync("zstd", ["-q", "--rm", partial, "-o", stem + ".zst.partial"], asServerAccount: false, Ct, workingDirectory: copy.Directory);
        Assert.Empty(copy.CompleteSegments());

        var (code, stdout, stderr) = await copy.VerifyAsync("--json");

        Assert.True(code == 0, stdout + stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(plain, report.GetProperty("recordsChecked").GetInt64());
        Assert.Equal(segments.Count + 1, report.GetProperty("files").GetInt32());
        Assert.Contains(report.GetProperty("findings").EnumerateArray(),
            f => f.GetProperty("file").GetString() == stem + ".zst.partial" && f.GetProperty("severity").GetString() == "info");
    }

    [Fact]
    public async Task Missing_directory_is_a_configuration_error_naming_the_fix()
    {
        using var copy = archive.Copy();
        var (code, _, stderr) = await new ArchiveCopy(Path.Combine(copy.Directory, "nowhere")).VerifyAsync();

        Assert.Equal(3, code);
        Assert.Contains("does not exist: pass the directory the receiver writes to with -D", stderr, StringComparison.Ordinal);
    }

    /// <summary>Skips (fails in CI) unless the standard tools are on PATH.</summary>
    private static void RequireTools(params string[] tools)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var tool in tools)
            Prerequisites.Require(path.Any(d => File.Exists(Path.Combine(d, tool))), $"the {tool} command (install the {tool} package)");
    }
}

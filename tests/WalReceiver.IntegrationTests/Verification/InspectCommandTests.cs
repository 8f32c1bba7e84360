using System.Text.Json;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Verification;

/// <summary>
/// <c>walreceiver inspect</c> on the archive the receiver wrote: for every complete segment its records (LSN, length,
/// previous record, resource manager, xid) are pg_waldump's on the same file, and every CRC is ok; a flipped byte is a
/// bad CRC at its record; compressed files list the same records.
/// </summary>
public sealed class InspectCommandTests(ReceivedArchive archive) : IClassFixture<ReceivedArchive>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_segment_lists_the_records_pg_waldump_reads()
    {
        using var copy = archive.Copy();
        var compared = await WaldumpAgreement.AssertAsync(copy.Directory, Ct);
        Assert.True(compared > 1000, $"only {compared} records compared");
    }

    [Fact]
    public async Task A_flipped_byte_is_a_bad_crc_at_its_record_and_exit_1()
    {
        using var copy = archive.Copy();
        var name = copy.CompleteSegments()[1];
        var path = copy.PathOf(name);
        var records = await RecordsAsync(path);
        // A record in the middle whose header lies whole on its page; a bit of its xl_crc (header bytes 20-23) is flipped.
        var victim = records.Skip(records.Count / 2).First(r =>
            ReceivedArchive.SegmentSize.OffsetIn(Lsn.Parse(r.GetProperty("lsn").GetString()!)) % 8192 <= 8192 - 24);
        var lsn = Lsn.Parse(victim.GetProperty("lsn").GetString()!);
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        bytes[ReceivedArchive.SegmentSize.OffsetIn(lsn) + 22] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes, Ct);

        await using var p = ReceiverProcess.Start(["inspect", path, "--records"]);
        Assert.Equal(1, await p.WaitForExitAsync(Timeout));
        Assert.Contains($"record {lsn} len {victim.GetProperty("totalLength").GetUInt32()}", p.Stdout, StringComparison.Ordinal);
        Assert.Single(p.Stdout.Split('\n'), l => l.EndsWith("crc bad", StringComparison.Ordinal) && l.StartsWith($"record {lsn} ", StringComparison.Ordinal));
        Assert.Contains("1 with a bad CRC", p.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_compressed_segment_lists_the_same_records_and_pages()
    {
        Prerequisites.Require(File.Exists("/usr/bin/zstd") || File.Exists("/bin/zstd"), "the zstd command (install the zstd package)");
        using var copy = archive.Copy();
        var name = copy.CompleteSegments()[0];
        var plain = await InspectJsonAsync(copy.PathOf(name));
        await ProcessRunner.RunAsync("zstd", ["-q", "--rm", name, "-o", name + ".zst"], asServerAccount: false, Ct, workingDirectory: copy.Directory);
        var compressed = await InspectJsonAsync(copy.PathOf(name + ".zst"));
        Assert.Equal(plain.GetProperty("pages").GetRawText(), compressed.GetProperty("pages").GetRawText());
        Assert.Equal(plain.GetProperty("records").GetRawText(), compressed.GetProperty("records").GetRawText());
        Assert.True(plain.GetProperty("pages").GetArrayLength() == 128, "a 1 MB segment has 128 pages");
    }

    [Fact]
    public async Task The_directory_lists_every_segment_and_the_partial()
    {
        using var copy = archive.Copy();
        await using var p = ReceiverProcess.Start(["inspect", copy.Directory, "--json", "--records"]);
        Assert.True(await p.WaitForExitAsync(Timeout) == 0, p.Stderr);
        using var json = JsonDocument.Parse(p.Stdout);
        var files = json.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("file").GetString()).ToList();
        Assert.Equal(copy.CompleteSegments().Count + 1, files.Count);
        Assert.EndsWith(".partial", files[^1], StringComparison.Ordinal);
        Assert.Equal(0, json.RootElement.GetProperty("badRecords").GetInt32());
    }

    [Theory]
    [InlineData("does not exist", "/nonexistent/000000010000000000000001")]
    [InlineData("is not named like a WAL segment file", "{dir}/walreceiver.systemid")]
    public async Task Bad_input_exits_2_naming_the_fix(string expected, string path)
    {
        using var copy = archive.Copy();
        var (code, stderr) = await ReceiverProcess.RunAsync(["inspect", path.Replace("{dir}", copy.Directory, StringComparison.Ordinal)], Timeout);
        Assert.True(code == 2, $"exit code {code}, stderr:\n{stderr}");
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    private static async Task<List<JsonElement>> RecordsAsync(string path) =>
        [.. (await InspectJsonAsync(path)).GetProperty("records").EnumerateArray()];

    private static async Task<JsonElement> InspectJsonAsync(string path)
    {
        await using var p = ReceiverProcess.Start(["inspect", path, "--json"]);
        Assert.True(await p.WaitForExitAsync(Timeout) == 0, p.Stderr + p.Stdout[..Math.Min(2000, p.Stdout.Length)]);
        using var json = JsonDocument.Parse(p.Stdout);
        return json.RootElement.GetProperty("files")[0].Clone();
    }
}

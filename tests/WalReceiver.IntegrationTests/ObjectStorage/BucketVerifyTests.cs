using System.Text.Json;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.Storage;

namespace WalReceiver.IntegrationTests.ObjectStorage;

/// <summary>
/// <c>walreceiver verify --target s3://BUCKET/PREFIX</c> on what <c>receive --target</c> uploaded to a real S3-compatible
/// server (s3rver): clean, it exits 0 and every object carries its manifest line as <c>x-amz-meta-sha256</c>; an object
/// replaced by other bytes, or deleted, exits 1 naming it.
/// </summary>
public sealed class BucketVerifyTests(UploadedArchive archive) : IClassFixture<UploadedArchive>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Uploaded_archive_verifies_with_exit_0_and_every_object_carries_its_manifest_line()
    {
        await archive.ReadyAsync(Ct);
        var segments = archive.Segments();
        Assert.True(segments.Count >= 3, string.Join(", ", segments));

        var (code, stdout, stderr) = await archive.VerifyAsync(UploadedArchive.Prefix);

        Assert.True(code == 0, stdout + stderr);
        Assert.Contains($"verified {segments.Count} files, ", stdout, StringComparison.Ordinal);
        Assert.Contains(": 0 errors, 0 warnings", stdout, StringComparison.Ordinal);
        var manifest = ArchiveManifest.Read(archive.LocalDirectory)!;
        using var client = archive.S3.Client();
        foreach (var name in segments)
        {
            var head = await client.GetObjectMetadataAsync(archive.S3.Bucket, $"{UploadedArchive.Prefix}/{name}", Ct);
            Assert.Equal(manifest[name], head.Metadata["sha256"]);
        }

        var json = await archive.VerifyAsync(UploadedArchive.Prefix, "--json");
        Assert.Equal(0, json.ExitCode);
        using var document = JsonDocument.Parse(json.Stdout);
        Assert.Equal(segments.Count, document.RootElement.GetProperty("files").GetInt32());
        Assert.Equal(0, document.RootElement.GetProperty("errors").GetInt32());
        Assert.Equal($"s3://{archive.S3.Bucket}/{UploadedArchive.Prefix}", document.RootElement.GetProperty("target").GetString());
        Assert.True(document.RootElement.GetProperty("recordsChecked").GetInt64() > 1000, json.Stdout);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Object_replaced_by_other_bytes_is_an_error_naming_it(bool keepMetadata)
    {
        await archive.ReadyAsync(Ct);
        var prefix = keepMetadata ? "replaced" : "replaced-bare";
        var segments = archive.Segments();
        var target = segments[segments.Count / 2];
        await archive.CopyAsync(prefix, Ct, skip: target);
        var bytes = await File.ReadAllBytesAsync(Path.Combine(archive.LocalDirectory, target), Ct);
        bytes[(3 * 8192) + 8] ^= 0x01; // xlp_pageaddr of the fourth page: a page header the verifier always checks
        using (var client = archive.S3.Client())
            await archive.PutAsync(client, $"{prefix}/{target}", bytes, keepMetadata ? ArchiveManifest.Read(archive.LocalDirectory)![target] : null, Ct);

        var (code, stdout, stderr) = await archive.VerifyAsync(prefix);

        Assert.True(code == 1, stdout + stderr);
        Assert.Contains($"ERROR {target}: at LSN ", stdout, StringComparison.Ordinal);
        if (keepMetadata)
            Assert.Contains($"ERROR {target}: SHA-256 ", stdout, StringComparison.Ordinal);
        else
            Assert.Contains($"WARNING {target}: has no x-amz-meta-sha256 metadata", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(segments.Where(s => s != target), s => stdout.Contains($"ERROR {s}:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deleted_middle_object_is_a_gap_named_at_the_next_one()
    {
        await archive.ReadyAsync(Ct);
        var segments = archive.Segments();
        var middle = segments.Count / 2;
        await archive.CopyAsync("gap", Ct, skip: segments[middle]);

        var (code, stdout, stderr) = await archive.VerifyAsync("gap");

        Assert.True(code == 1, stdout + stderr);
        Assert.Contains($"ERROR {segments[middle + 1]}: at LSN ", stdout, StringComparison.Ordinal);
        Assert.Contains($"gap: segment {segments[middle]} is missing", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Object_that_is_not_an_archive_file_is_a_warning()
    {
        await archive.ReadyAsync(Ct);
        await archive.CopyAsync("stray", Ct);
        using (var client = archive.S3.Client())
            await archive.PutAsync(client, "stray/notes.txt", "not WAL"u8.ToArray(), null, Ct);

        var (code, stdout, stderr) = await archive.VerifyAsync("stray");

        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("WARNING notes.txt: is not an archive file", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task History_object_is_checked_against_its_metadata(bool matching)
    {
        await archive.ReadyAsync(Ct);
        var prefix = matching ? "history" : "history-changed";
        await archive.CopyAsync(prefix, Ct);
        var history = "1\t0/FF000000\tno recovery target specified\n"u8.ToArray();
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(matching ? history : [.. history, (byte)'\n']));
        using (var client = archive.S3.Client())
            await archive.PutAsync(client, $"{prefix}/00000002.history", history, sha256, Ct);

        var (code, stdout, stderr) = await archive.VerifyAsync(prefix);

        Assert.True(code == (matching ? 0 : 1), stdout + stderr);
        Assert.Equal(!matching, stdout.Contains("ERROR 00000002.history: SHA-256 ", StringComparison.Ordinal));
        Assert.Contains(matching ? ": 0 errors, 0 warnings" : ": 1 errors, 0 warnings", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no archive given")]
    [InlineData("cannot use --directory (-D) together with --target", "-D", "{dir}", "--target", "s3://walarchive/main")]
    [InlineData("--endpoint is for --target", "-D", "{dir}", "--endpoint", "http://127.0.0.1:1")]
    public async Task Verify_needs_exactly_one_archive_or_exits_2(string expected, params string[] args)
    {
        var directory = CliTestSupport.CreateDirectory(Path.GetTempPath(), "bucket-verify-usage");
        try
        {
            var (code, stderr) = await ReceiverProcess.RunAsync(["verify", .. args.Select(a => a == "{dir}" ? directory : a)], TimeSpan.FromSeconds(30));

            Assert.True(code == 2, $"exit code {code}, stderr:\n{stderr}");
            Assert.Contains(expected, stderr, StringComparison.Ordinal);
            Assert.Contains("walreceiver: hint: ", stderr, StringComparison.Ordinal);
        }
        finally
        {
            CliTestSupport.DeleteDirectory(directory);
        }
    }

    [Fact]
    public async Task A_bad_target_exits_3_naming_the_fix()
    {
        var (code, stderr) = await ReceiverProcess.RunAsync(["verify", "--target", "walarchive/main"], TimeSpan.FromSeconds(30));

        Assert.Equal(3, code);
        Assert.Contains("write it as s3://BUCKET/PREFIX", stderr, StringComparison.Ordinal);
    }
}

using System.Security.Cryptography;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.ObjectStorage;
using WalReceiver.Storage;

namespace WalReceiver.IntegrationTests.ObjectStorage;

/// <summary><see cref="ObjectUploader"/> against s3rver: the manifest goes with each object, and a rotted file does not go at all.</summary>
public sealed class ObjectUploaderTests : IDisposable
{
    private const string Name = "000000010000000000000003";
    private readonly string _directory = CliTestSupport.CreateDirectory(Path.GetTempPath(), "uploader");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => CliTestSupport.DeleteDirectory(_directory);

    [Fact]
    public async Task Object_carries_the_sha256_of_its_file_as_metadata()
    {
        await using var s3 = await S3Server.StartAsync(Ct);
        var content = RandomNumberGenerator.GetBytes(300_000);
        await File.WriteAllBytesAsync(Path.Combine(_directory, Name), content, Ct);
        using var client = s3.Client();

        Assert.True(await new ObjectUploader(client, new S3Location(s3.Bucket, "p")).UploadAsync(Path.Combine(_directory, Name), Ct));

        var head = await client.GetObjectMetadataAsync(s3.Bucket, "p/" + Name, Ct);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), head.Metadata["sha256"]);
    }

    [Fact]
    public async Task File_that_differs_from_its_manifest_line_is_not_uploaded()
    {
        await using var s3 = await S3Server.StartAsync(Ct);
        var content = RandomNumberGenerator.GetBytes(100_000);
        new ArchiveManifest(_directory, ArchiveFileModes.OwnerOnly, FileSync.None).Append(Name, SHA256.HashData(content));
        content[5_000] ^= 0x20; // rotted after its line was written
        await File.WriteAllBytesAsync(Path.Combine(_directory, Name), content, Ct);
        using var client = s3.Client();

        var e = await Assert.ThrowsAsync<LocalFileChangedException>(
            () => new ObjectUploader(client, new S3Location(s3.Bucket, "p")).UploadAsync(Path.Combine(_directory, Name), Ct));

        Assert.Contains(ArchiveManifest.FileName, e.Message, StringComparison.Ordinal);
        Assert.Empty(await s3.KeysAsync("p/", Ct));
    }

    [Fact]
    public async Task A_shorter_object_holding_the_start_of_the_file_is_replaced_and_one_with_other_bytes_is_not()
    {
        await using var s3 = await S3Server.StartAsync(Ct);
        var content = RandomNumberGenerator.GetBytes(300_000);
        var path = Path.Combine(_directory, Name);
        await File.WriteAllBytesAsync(path, content, Ct);
        using var client = s3.Client();
        var replaced = new List<string>();
        var uploader = new ObjectUploader(client, new S3Location(s3.Bucket, "p"), (name, _) => replaced.Add(name));

        // Cut short: what a server that stores PUTs non-atomically keeps of an upload killed in the middle.
        await s3.PutAsync("p/" + Name, content[..123_456], Ct);
        Assert.True(await uploader.UploadAsync(path, Ct));
        Assert.Equal(content, await s3.GetAsync("p/" + Name, Ct));
        Assert.Equal([Name], replaced);

        // As short, but not this file's start: another file, never overwritten.
        var other = content[..123_456];
        other[100] ^= 1;
        await s3.PutAsync("p/" + Name + ".gz", other, Ct);
        await File.WriteAllBytesAsync(path + ".gz", content, Ct);
        await Assert.ThrowsAsync<ObjectConflictException>(() => uploader.UploadAsync(path + ".gz", Ct));
        Assert.Equal(other, await s3.GetAsync("p/" + Name + ".gz", Ct));
    }
}

using System.Security.Cryptography;
using WalReceiver.ObjectStorage;
using WalReceiver.Storage;

namespace WalReceiver.Tests.ObjectStorage;

/// <summary>
/// The prefetch spool keeps what it stored only for the origin that stored it and only while its MD5 is the ETag it was
/// fetched with; it removes segments at or before the one served, on any timeline, and nothing after.
/// </summary>
public sealed class PrefetchSpoolTests : IDisposable
{
    private const string Origin = "s3://walarchive/main at http://127.0.0.1:9000";
    private readonly TempDirectory _work = new();

    private string Destination => Path.Combine(_work.Path, "pg_wal", "RECOVERYXLOG");

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task A_stored_object_is_found_by_its_origin_only_and_opened_while_its_md5_is_the_etag()
    {
        var spool = new PrefetchSpool(Destination, Origin);
        var body = RandomNumberGenerator.GetBytes(4096);
        Assert.True(await StoreAsync(spool, "000000010000000000000005.zst", body));
        Assert.Equal(Path.Combine(_work.Path, "pg_wal", PrefetchSpool.DirectoryName), spool.Directory);

        var found = spool.Find("000000010000000000000005", partials: false);
        Assert.NotNull(found);
        Assert.Equal(CompressionAlgorithm.Zstd, found.Algorithm);
        using (var stream = spool.OpenStored(found, CancellationToken.None))
        using (var copy = new MemoryStream())
        {
            await stream.CopyToAsync(copy, TestContext.Current.CancellationToken);
            Assert.Equal(body, copy.ToArray());
        }

        Assert.Null(new PrefetchSpool(Destination, "s3://walarchive/other at http://127.0.0.1:9000").Find("000000010000000000000005", false));
        Assert.False(new PrefetchSpool(Destination, "s3://walarchive/main").Holds("000000010000000000000005"));

        body[100] ^= 1;
        await File.WriteAllBytesAsync(found.Path, body, TestContext.Current.CancellationToken);
        Assert.Throws<InvalidDataException>(() => spool.OpenStored(found, CancellationToken.None));
    }

    [Fact]
    public async Task A_body_whose_md5_is_not_the_etag_is_not_stored()
    {
        var spool = new PrefetchSpool(Destination, Origin);
        var item = new BucketObject(new StoredFile("000000010000000000000005", "s3://walarchive/main/000000010000000000000005", CompressionAlgorithm.None, false),
            "0123456789abcdef0123456789abcdef");
        using var body = new MemoryStream(new byte[100]);
        Assert.False(await spool.StoreAsync(item, body, TestContext.Current.CancellationToken));
        Assert.Empty(Directory.GetFiles(spool.Directory));
    }

    [Fact]
    public async Task Pruning_removes_segments_at_or_before_the_served_position_on_any_timeline()
    {
        var spool = new PrefetchSpool(Destination, Origin);
        foreach (var name in new[] { "000000010000000000000004", "000000010000000000000005", "000000010000000000000006", "000000020000000000000005" })
            Assert.True(await StoreAsync(spool, name, [1, 2, 3]));
        await File.WriteAllTextAsync(Path.Combine(spool.Directory, "000000010000000000000003.walreceiver-1.tmp"), "", TestContext.Current.CancellationToken);

        spool.Prune("000000020000000000000005");

        Assert.Equal(["000000010000000000000006", "000000010000000000000006.source"],
            Directory.GetFiles(spool.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    private static async Task<bool> StoreAsync(PrefetchSpool spool, string name, byte[] body)
    {
        var (stem, algorithm, _) = CompressedWal.Split(name);
#pragma warning disable CA5351 // S3's ETag is an MD5
        var etag = Convert.ToHexStringLower(MD5.HashData(body));
#pragma warning restore CA5351
        var item = new BucketObject(new StoredFile(name, "s3://walarchive/main/" + name, algorithm, false), etag);
        using var stream = new MemoryStream(body);
        Assert.Equal(24, stem.Length);
        return await spool.StoreAsync(item, stream, TestContext.Current.CancellationToken);
    }
}

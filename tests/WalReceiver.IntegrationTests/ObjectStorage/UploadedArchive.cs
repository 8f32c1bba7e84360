using Amazon.S3.Model;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;

namespace WalReceiver.IntegrationTests.ObjectStorage;

/// <summary>
/// A cluster's WAL uploaded by the real receiver (<c>receive --target</c>, 1 MB segments) to one S3 server kept for the
/// test class, under <c>main/</c>, with the local archive it came from; tests damage copies under prefixes of their own.
/// </summary>
/// <remarks>Made at the first test that asks (so a missing Node.js skips that test the usual way), once.</remarks>
public sealed class UploadedArchive : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly string _local = Path.Combine(Path.GetTempPath(), "walreceiver-uploaded-" + Guid.NewGuid().ToString("N")[..8]);
    private S3Server? _s3;
    private Exception? _failure;

    /// <summary>The prefix the receiver uploaded to.</summary>
    public const string Prefix = "main";

    /// <summary>The S3 server, once ready.</summary>
    public S3Server S3 => _s3!;

    /// <summary>The local archive the receiver wrote (its manifest is the reference for the objects' metadata).</summary>
    public string LocalDirectory => _local;

    /// <summary>Streams and uploads at the first call; later calls wait for that or rethrow its failure.</summary>
    public async Task ReadyAsync(CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            if (_failure is not null)
                throw new InvalidOperationException("The uploaded archive for these tests could not be made.", _failure);
            _s3 ??= await S3Server.StartAsync(ct);
            if (Directory.Exists(_local))
                return;
            try
            {
                await UploadAsync(ct);
            }
#pragma warning disable CA1031 // every later test reports the same failure, with its cause
            catch (Exception e)
#pragma warning restore CA1031
            {
                _failure = e;
                throw;
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The complete segments in the bucket (and the local archive), in order.</summary>
    public List<string> Segments() =>
        [.. Directory.GetFiles(_local).Select(Path.GetFileName).OfType<string>()
            .Where(n => n.Length == Wal.WalFileName.Length && Wal.WalFileName.IsUpperHex(n)).Order(StringComparer.Ordinal)];

    /// <summary>Copies every object under <see cref="Prefix"/> to <paramref name="prefix"/>, with its metadata, except <paramref name="skip"/>.</summary>
    public async Task CopyAsync(string prefix, CancellationToken ct, string? skip = null)
    {
        using var client = S3.Client();
        foreach (var key in await S3.KeysAsync(Prefix + "/", ct))
        {
            var name = key[(Prefix.Length + 1)..];
            if (name == skip)
                continue;
            using var source = await client.GetObjectAsync(S3.Bucket, key, ct);
            await PutAsync(client, $"{prefix}/{name}", await ReadAllAsync(source, ct), source.Metadata["sha256"], ct);
        }
    }

    /// <summary>Stores <paramref name="content"/> as <paramref name="key"/>, with <paramref name="sha256"/> as its metadata unless null.</summary>
    public async Task PutAsync(Amazon.S3.IAmazonS3 client, string key, byte[] content, string? sha256, CancellationToken ct)
    {
        var request = new PutObjectRequest { BucketName = S3.Bucket, Key = key, InputStream = new MemoryStream(content), UseChunkEncoding = false };
        if (sha256 is not null)
            request.Metadata["sha256"] = sha256;
        await client.PutObjectAsync(request, ct);
    }

    /// <summary>Runs <c>walreceiver verify --target s3://BUCKET/PREFIX</c> against the server.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> VerifyAsync(string prefix, params string[] extra)
    {
        await using var p = ReceiverProcess.Start(["verify", "--target", $"s3://{S3.Bucket}/{prefix}", "--endpoint", S3.Endpoint, .. extra], S3.Environment);
        var code = await p.WaitForExitAsync(TimeSpan.FromSeconds(120));
        return (code, p.Stdout, p.Stderr);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_s3 is not null)
            await _s3.DisposeAsync();
        CliTestSupport.DeleteDirectory(_local);
        CliTestSupport.DeleteDirectory(_local + ".tmp");
        _lock.Dispose();
    }

    private static async Task<byte[]> ReadAllAsync(GetObjectResponse response, CancellationToken ct)
    {
        using var bytes = new MemoryStream();
        await response.ResponseStream.CopyToAsync(bytes, ct);
        return bytes.ToArray();
    }

    private async Task UploadAsync(CancellationToken ct)
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "bucketverify");
        var environment = S3.Environment;
        environment["PGAPPNAME"] = run.ApplicationName;
        await using (var receiver = ReceiverProcess.Start(
            ["receive", "-D", run.Directory, "-S", run.Slot, .. ReceiverProcess.ConnectionArgs(cluster), "--target", $"s3://{S3.Bucket}/{Prefix}"], environment))
        {
            await receiver.WaitForStderrAsync("starting log streaming", Timeout);
            await cluster.GenerateWalAsync(20_000, ct: ct);
            await cluster.GenerateWalAsync(20_000, ct: ct);
            var end = await cluster.GenerateWalAsync(100, switchWal: false, ct);
            await run.WaitForFlushAsync(end, Timeout);
            receiver.Signal(PosixSignal.Interrupt);
            if (await receiver.WaitForExitAsync(Timeout) != 0)
                throw new InvalidOperationException($"the receiver failed: {receiver.Stderr}");
        }

        Directory.CreateDirectory(_local + ".tmp");
        foreach (var file in Directory.GetFiles(run.Directory))
            File.Copy(file, Path.Combine(_local + ".tmp", Path.GetFileName(file)));
        Directory.Move(_local + ".tmp", _local);
    }
}

using System.Diagnostics;
using System.Net.Sockets;
using Amazon.S3;
using Amazon.S3.Model;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.ObjectStorage;

namespace WalReceiver.IntegrationTests.Fixtures;

/// <summary>
/// A real S3-compatible server for the tests: s3rver (from the npm registry, installed once into a cache directory)
/// run by Node.js on a free loopback port, with one bucket, its objects in a temporary directory.
/// </summary>
/// <remarks>
/// What s3rver lacks compared with AWS S3, and how the tests and the code cover it: it does not check Content-MD5 (the
/// uploader compares the ETag it answers with the file's MD5), it ignores <c>If-None-Match</c> on PUT (the uploader
/// looks before it writes), it does not decode aws-chunked bodies (the client sends plain bodies), it does not store a
/// PUT atomically (a kill mid-request leaves a torn object, which the uploader recognises as its own and replaces), and it has no
/// versioning, object lock or multipart-upload limits.
/// </remarks>
public sealed class S3Server : IAsyncDisposable
{
    /// <summary>The s3rver version the tests run.</summary>
    public const string Version = "3.7.1";

    /// <summary>s3rver's fixed credentials.</summary>
    public const string AccessKey = "S3RVER";

    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private readonly string _script;
    private readonly string _data;
    private readonly int _port;
    private Process? _process;

    private S3Server(string script, string data, int port, string bucket)
    {
        _script = script;
        _data = data;
        _port = port;
        Endpoint = $"http://127.0.0.1:{port}";
        Bucket = bucket;
    }

    /// <summary>The endpoint URL.</summary>
    public string Endpoint { get; }

    /// <summary>The bucket made at start.</summary>
    public string Bucket { get; }

    /// <summary>The environment that points a receiver at this server (credentials, region, endpoint).</summary>
    public Dictionary<string, string> Environment => new()
    {
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = AccessKey,
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ENDPOINT_URL_S3"] = Endpoint,
    };

    /// <summary>Installs s3rver if needed and starts it with a bucket; skips the test (fails it in CI) without Node.js and npm.</summary>
    public static async Task<S3Server> StartAsync(CancellationToken ct)
    {
        var script = await InstallAsync(ct);
        var server = new S3Server(script, Directory.CreateTempSubdirectory("walreceiver-s3-").FullName, CliTestSupport.ClosedPort(), "walarchive");
        await server.RestartAsync(ct);
        return server;
    }

    /// <summary>Kills the server at once, as a crash or a lost network would end requests under way; its objects stay on disk.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process)
            return;
        _process = null;
        try
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        process.Dispose();
    }

    /// <summary>Starts the server (again, after <see cref="KillAsync"/>) on the same port with the objects it had.</summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        await KillAsync();
        var info = new ProcessStartInfo("node", [_script, "-d", _data, "-a", "127.0.0.1", "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--silent", "--configure-bucket", Bucket])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(info)!;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await CliTestSupport.WaitUntilAsync(async () =>
        {
            if (process.HasExited)
                throw new InvalidOperationException($"s3rver exited with code {process.ExitCode}");
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync("127.0.0.1", _port, ct);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), () => "s3rver to listen");
    }

    /// <summary>A client of this server, as the receiver makes it.</summary>
    public AmazonS3Client Client()
    {
        var environment = Environment;
        return S3Clients.Create(Endpoint, name => environment.TryGetValue(name, out var v) ? v : null, new Amazon.Runtime.BasicAWSCredentials(AccessKey, AccessKey));
    }

    /// <summary>The keys under <paramref name="prefix"/>, sorted.</summary>
    public async Task<List<string>> KeysAsync(string prefix, CancellationToken ct)
    {
        using var client = Client();
        var list = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix }, ct);
        return [.. (list.S3Objects ?? []).Select(o => o.Key).Order(StringComparer.Ordinal)];
    }

    /// <summary>An object's bytes.</summary>
    public async Task<byte[]> GetAsync(string key, CancellationToken ct)
    {
        using var client = Client();
        using var response = await client.GetObjectAsync(Bucket, key, ct);
        using var bytes = new MemoryStream();
        await response.ResponseStream.CopyToAsync(bytes, ct);
        return bytes.ToArray();
    }

    /// <summary>Stores <paramref name="content"/> as <paramref name="key"/> (for a conflict).</summary>
    public async Task PutAsync(string key, byte[] content, CancellationToken ct)
    {
        using var client = Client();
        await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = new MemoryStream(content), UseChunkEncoding = false }, ct);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        CliTestSupport.DeleteDirectory(_data);
    }

    private static async Task<string> InstallAsync(CancellationToken ct)
    {
        Prerequisites.Require(OnPath("node") && OnPath("npm"), "Node.js and npm (Debian packages nodejs and npm) to run the s3rver test server");
        var root = Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".cache", "walreceiver-tests",
            "s3rver-" + Version);
        var script = Path.Combine(root, "node_modules", "s3rver", "bin", "s3rver.js");
        await InstallLock.WaitAsync(ct);
        try
        {
            if (!File.Exists(script))
            {
                Directory.CreateDirectory(root);
                await ProcessRunner.RunAsync("npm", ["install", "--no-audit", "--no-fund", "--prefix", root, "s3rver@" + Version], asServerAccount: false, ct,
                    root, TimeSpan.FromMinutes(5));
            }
        }
        finally
        {
            InstallLock.Release();
        }

        return script;
    }

    private static bool OnPath(string program) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, program)));
}

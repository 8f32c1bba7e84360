using System.Globalization;
using System.Text.Json;
using WalReceiver.IntegrationTests.Cli;

namespace WalReceiver.IntegrationTests.Daemon;

/// <summary><c>walreceiver run --config</c> as a child process, with a JSON configuration and an HTTP client for its endpoint.</summary>
public sealed class DaemonRun : IAsyncDisposable
{
    private readonly string _directory;

    private DaemonRun(string directory, ReceiverProcess process, string url)
    {
        _directory = directory;
        Process = process;
        Url = url;
    }

    public ReceiverProcess Process { get; }

    public string Url { get; }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Writes <paramref name="sources"/> (objects serialised as WalReceiver:Sources) and starts the daemon.</summary>
    public static DaemonRun Start(IEnumerable<object> sources, IReadOnlyDictionary<string, string>? environment = null, params string[] extra)
    {
        var directory = CliTestSupport.CreateDirectory(Path.GetTempPath(), "walreceiver-daemon");
        var url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{CliTestSupport.ClosedPort()}");
        var config = Path.Combine(directory, "appsettings.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new { WalReceiver = new { Sources = sources, Http = new { Url = url } } }));
        return new DaemonRun(directory, ReceiverProcess.Start(["run", "--config", config, .. extra], environment), url);
    }

    /// <summary>A source's libpq connection string for <paramref name="cluster"/>, as its superuser.</summary>
    public static string Conninfo(PostgresCluster cluster) =>
        string.Create(CultureInfo.InvariantCulture, $"host={cluster.Host} port={cluster.Port} user={cluster.SuperUser}");

    public string NewArchive(string name) => CliTestSupport.CreateDirectory(_directory, name);

    /// <summary>GETs <paramref name="path"/>; null while the endpoint does not answer yet.</summary>
    public async Task<(int Status, string Body)?> GetAsync(string path)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(Url + path));
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>Polls <paramref name="path"/> until <paramref name="condition"/> holds; returns the last answer.</summary>
    public async Task<(int Status, string Body)> WaitForAsync(string path, Func<int, string, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        (int Status, string Body)? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await GetAsync(path);
            if (last is { } l && condition(l.Status, l.Body))
                return l;
            await Task.Delay(100);
        }

        throw new TimeoutException($"GET {path} never fit; last answer: {last?.Status} {last?.Body}\nstderr:\n{Process.Stderr}");
    }

    /// <summary>The value of a Prometheus sample whose line starts with <paramref name="metric"/> and has <paramref name="source"/>.</summary>
    public static double? Sample(string metrics, string metric, string source)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(metric + "{", StringComparison.Ordinal) && line.Contains($"walreceiver_source=\"{source}\"", StringComparison.Ordinal))
                return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        Http.Dispose();
        CliTestSupport.DeleteDirectory(_directory);
    }
}

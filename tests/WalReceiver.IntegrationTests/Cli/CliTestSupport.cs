using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace WalReceiver.IntegrationTests.Cli;

/// <summary>Small helpers shared by the CLI tests: unique names, scratch directories, polling with a deadline.</summary>
public static class CliTestSupport
{
    /// <summary>A name unique to the calling test, valid as a slot, role or application name (lower case, digits, underscore).</summary>
    public static string UniqueName(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Creates an empty directory under <paramref name="parent"/> and returns its path.</summary>
    public static string CreateDirectory(string parent, string prefix)
    {
        var path = Path.Combine(parent, prefix + "-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes <paramref name="path"/> and everything in it; never throws.</summary>
    public static void DeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left in the temp directory; harmless.
        }
    }

    /// <summary>A loopback TCP port nobody listens on (it was free a moment ago, and ports are not reused at once).</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds; throws after <paramref name="timeout"/>.</summary>
    /// <param name="condition">What to wait for.</param>
    /// <param name="timeout">How long to wait at most.</param>
    /// <param name="describe">Says what was awaited and what was seen, for the failure message.</param>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > timeout)
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting for {describe()}.");
            await Task.Delay(TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken);
        }
    }
}

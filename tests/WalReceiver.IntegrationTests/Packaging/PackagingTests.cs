using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;

namespace WalReceiver.IntegrationTests.Packaging;

/// <summary>
/// What can be checked of the packaging without a Docker engine or a booted systemd: the unit file verifies, and the
/// image's entry point, with the shipped configuration, starts the daemon, serves health, and stops cleanly on SIGTERM.
/// </summary>
public sealed class PackagingTests
{
    private static string RepositoryRoot => RepositoryPaths.Root;

    [Fact]
    public async Task Systemd_unit_is_type_notify_and_passes_systemd_analyze_verify()
    {
        // The path the README and the unit's header install the single file to.
        const string ExecStart = "\nExecStart=/usr/local/bin/walreceiver ";
        var unit = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot, "systemd", "walreceiver.service"), TestContext.Current.CancellationToken);
        Assert.Contains(ExecStart, unit, StringComparison.Ordinal);
        Assert.Contains("\nType=notify\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nKillSignal=SIGTERM\n", unit, StringComparison.Ordinal);
        var analyze = File.Exists("/usr/bin/systemd-analyze") ? "/usr/bin/systemd-analyze" : "/bin/systemd-analyze";
        Prerequisites.Require(File.Exists(analyze), "systemd-analyze (Debian package systemd) to verify the unit file");

        var dir = CliTestSupport.CreateDirectory(Path.GetTempPath(), "unit");
        try
        {
            // verify checks that ExecStart is executable: point it at the binary under test.
            var copy = Path.Combine(dir, "walreceiver.service");
            await File.WriteAllTextAsync(copy, unit.Replace(ExecStart, $"\nExecStart={ReceiverProcess.Executable} ", StringComparison.Ordinal),
                TestContext.Current.CancellationToken);
            var info = new ProcessStartInfo(analyze, ["verify", copy]) { RedirectStandardError = true, RedirectStandardOutput = true };
            using var p = Process.Start(info)!;
            var stderr = await p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await p.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(p.ExitCode == 0 && stderr.Length == 0, $"systemd-analyze verify: exit {p.ExitCode}\n{stderr}");
        }
        finally
        {
            CliTestSupport.DeleteDirectory(dir);
        }
    }

    [Fact]
    public async Task Image_entry_point_with_the_shipped_configuration_starts_serves_health_and_stops_on_sigterm()
    {
        var dockerfile = await File.ReadAllLinesAsync(Path.Combine(RepositoryRoot, "docker", "Dockerfile"), TestContext.Current.CancellationToken);
        var entry = JsonSerializer.Deserialize<string[]>(dockerfile.Single(l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))["ENTRYPOINT ".Length..])!;
        Assert.Equal("/app/walreceiver", entry[0]);
        Assert.Contains("USER app", dockerfile);
        var configIndex = Array.IndexOf(entry, "--config") + 1;
        Assert.Equal("/etc/walreceiver/appsettings.json", entry[configIndex]);

        // The image's command line, with the shipped configuration: the archive directory and the HTTP address are
        // overridden through the environment, as the image itself does for the address.
        var archive = CliTestSupport.CreateDirectory(Path.GetTempPath(), "image");
        var url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{CliTestSupport.ClosedPort()}");
        entry[configIndex] = Path.Combine(RepositoryRoot, "docker", "appsettings.json");
        try
        {
            await using var p = ReceiverProcess.Start(entry[1..], new Dictionary<string, string>
            {
                ["WALRECEIVER__SOURCES__0__DIRECTORY"] = archive,
                ["WALRECEIVER__HTTP__URL"] = url,
            });
            using var http = new HttpClient();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            HttpResponseMessage? health = null;
            while (health is null && DateTime.UtcNow < deadline)
            {
                try
                {
                    health = await http.GetAsync(new Uri(url + "/healthz"), TestContext.Current.CancellationToken);
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100, TestContext.Current.CancellationToken);
                }
            }

            Assert.NotNull(health);
            Assert.Equal(503, (int)health.StatusCode); // the compose file's "primary" host does not exist here
            p.Signal(PosixSignal.Terminate);
            Assert.Equal(0, await p.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            CliTestSupport.DeleteDirectory(archive);
        }
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;

namespace WalReceiver.IntegrationTests.Daemon;

/// <summary>With <c>WalReceiver:Otlp:Endpoint</c> set, the daemon pushes its metrics to an OTLP/HTTP collector.</summary>
public sealed class OtlpTests
{
    [Fact]
    public async Task Metrics_are_pushed_to_the_configured_otlp_http_endpoint()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(), ct);
        var port = CliTestSupport.ClosedPort();
        using var collector = new HttpListener();
        collector.Prefixes.Add(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
        collector.Start();
        var dir = CliTestSupport.CreateDirectory(Path.GetTempPath(), "otlp");
        try
        {
            await using var d = DaemonRun.Start(
                [new { Name = "otlp", ConnectionString = string.Create(CultureInfo.InvariantCulture, $"host={cluster.Host} port={cluster.Port} user=postgres"),
                    Slot = "archiver", CreateSlot = true, Directory = dir }],
                new Dictionary<string, string>
                {
                    ["WALRECEIVER__OTLP__ENDPOINT"] = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"),
                    ["WALRECEIVER__OTLP__EXPORTINTERVAL"] = "00:00:00.500",
                });
            await cluster.GenerateWalAsync(5_000);

            // Take requests until one carries our counter (the first may come before any WAL arrived).
            var deadline = DateTime.UtcNow.AddSeconds(60);
            string? seen = null;
            while (seen is null)
            {
                var context = await collector.GetContextAsync().WaitAsync(deadline - DateTime.UtcNow, ct);
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body, ct);
                var text = Encoding.Latin1.GetString(body.ToArray());
                Assert.Equal("/v1/metrics", context.Request.Url!.AbsolutePath);
                Assert.Equal("application/x-protobuf", context.Request.ContentType);
                context.Response.StatusCode = 200;
                context.Response.Close();
                if (text.Contains("walreceiver.wal.received", StringComparison.Ordinal) && text.Contains("otlp", StringComparison.Ordinal))
                    seen = text;
            }

            d.Process.Signal(PosixSignal.Terminate);
            Assert.Equal(0, await d.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            CliTestSupport.DeleteDirectory(dir);
        }
    }
}

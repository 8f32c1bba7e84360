using System.Globalization;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;

namespace WalReceiver.IntegrationTests.Daemon;

/// <summary>
/// <c>walreceiver run</c>: several sources in one process, each supervised on its own, with lag in <c>/metrics</c> and
/// a <c>/healthz</c> that says which source is not streaming and why.
/// </summary>
public sealed class DaemonTests(SharedCluster shared)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object Source(string name, string conninfo, string directory) =>
        new { Name = name, ConnectionString = conninfo, Slot = "archiver", CreateSlot = true, Directory = directory, SlotPollInterval = "00:00:01" };

    [Fact]
    public async Task A_source_with_a_Target_and_keys_in_its_configuration_uploads_its_completed_segments_and_health_and_metrics_show_an_outage()
    {
        await using var s3 = await S3Server.StartAsync(Ct);
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        var archive = CliTestSupport.CreateDirectory(Path.GetTempPath(), "daemon-bucket");
        try
        {
            await using (var d = DaemonRun.Start(
                [new { Name = "main", ConnectionString = DaemonRun.Conninfo(cluster), Slot = "archiver", CreateSlot = true, Directory = archive,
                    Target = $"s3://{s3.Bucket}/daemon", Compression = "lz4", MaxUploadBacklogBytes = 1,
                    Endpoint = s3.Endpoint, Region = "us-east-1", AccessKeyId = S3Server.AccessKey, SecretAccessKey = S3Server.AccessKey }],
                new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "", ["AWS_SECRET_ACCESS_KEY"] = "" }))
            {
                await d.WaitForAsync("/healthz", (status, _) => status == 200, Timeout);
                await cluster.GenerateWalAsync(20_000);
                await CliTestSupport.WaitUntilAsync(async () => (await s3.KeysAsync("daemon/", Ct)).Count >= 2, Timeout,
                    () => $"two segments in the bucket; archive: {string.Join(", ", Directory.GetFiles(archive).Select(Path.GetFileName))}");
                var metrics = await d.WaitForAsync("/metrics", (_, body) => DaemonRun.Sample(body, "walreceiver_upload_backlog", "main") == 0
                    && DaemonRun.Sample(body, "walreceiver_upload_bytes_total", "main") > 0, Timeout);
                Assert.True(DaemonRun.Sample(metrics.Body, "walreceiver_upload_duration_seconds_count", "main") >= 2, metrics.Body);
                Assert.Equal(0, DaemonRun.Sample(metrics.Body, "walreceiver_upload_backlog_size_bytes", "main"));

                // The bucket goes away: streaming goes on, the backlog grows past its limit of one byte, health says so.
                await s3.KillAsync();
                await cluster.GenerateWalAsync(100);
                var health = await d.WaitForAsync("/healthz", (status, _) => status == 503, Timeout);
                Assert.Contains("upload backlog of 1 files", health.Body, StringComparison.Ordinal);
                Assert.Contains("\"status\": \"streaming\"", health.Body, StringComparison.Ordinal);
                metrics = await d.WaitForAsync("/metrics", (_, body) => DaemonRun.Sample(body, "walreceiver_upload_failures_total", "main") >= 1, Timeout);
                Assert.Equal(1, DaemonRun.Sample(metrics.Body, "walreceiver_upload_backlog", "main"));
                Assert.True(DaemonRun.Sample(metrics.Body, "walreceiver_upload_backlog_size_bytes", "main") > 0, metrics.Body);

                // Back: the file goes up at the next retry, and health with it.
                await s3.RestartAsync(Ct);
                await d.WaitForAsync("/healthz", (status, _) => status == 200, Timeout);
                d.Process.Signal(PosixSignal.Terminate);
                Assert.Equal(0, await d.Process.WaitForExitAsync(Timeout));
            }

            var names = Directory.GetFiles(archive, "*.lz4").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
            Assert.Equal(names.Select(n => "daemon/" + n), await s3.KeysAsync("daemon/", Ct));
            foreach (var name in names)
                Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(archive, name), Ct), await s3.GetAsync("daemon/" + name, Ct));
        }
        finally
        {
            CliTestSupport.DeleteDirectory(archive);
        }
    }

    [Fact]
    public async Task A_source_with_Trace_logs_its_own_replication_messages_and_the_other_source_none()
    {
        var cluster = shared.Cluster;
        var traced = CliTestSupport.CreateDirectory(Path.GetTempPath(), "daemon-traced");
        var quiet = CliTestSupport.CreateDirectory(Path.GetTempPath(), "daemon-quiet");
        var slots = new[] { CliTestSupport.UniqueName("traced"), CliTestSupport.UniqueName("quiet") };
        try
        {
            await using var d = DaemonRun.Start([
                new { Name = "traced", ConnectionString = DaemonRun.Conninfo(cluster), Slot = slots[0], CreateSlot = true, Directory = traced, Trace = true,
                    ReceiveTimeout = "00:00:02" },
                new { Name = "quiet", ConnectionString = DaemonRun.Conninfo(cluster), Slot = slots[1], CreateSlot = true, Directory = quiet,
                    ReceiveTimeout = "00:00:02" },
            ]);
            await d.WaitForAsync("/healthz", (status, _) => status == 200, Timeout);
            await cluster.GenerateWalAsync(100, switchWal: false);
            // Npgsql asks for a reply after 1 s without a message, on both connections; only the traced one tells of it.
            await CliTestSupport.WaitUntilAsync(
                () => Task.FromResult(d.Process.Stderr.Contains("reply requested no", StringComparison.Ordinal)), Timeout, () => d.Process.Stderr);
            await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);
            d.Process.Signal(PosixSignal.Terminate);
            Assert.Equal(0, await d.Process.WaitForExitAsync(Timeout));

            var trace = d.Process.Stderr.Split('\n').Where(l => l.Contains(" trace ", StringComparison.Ordinal)).ToList();
            Assert.Contains(trace, l => l.Contains("trace XLogData", StringComparison.Ordinal));
            Assert.Contains(trace, l => l.Contains("(Npgsql: half of the WalReceiverTimeout", StringComparison.Ordinal));
            Assert.All(trace, l => Assert.Contains("[traced]", l, StringComparison.Ordinal));
        }
        finally
        {
            CliTestSupport.DeleteDirectory(traced);
            CliTestSupport.DeleteDirectory(quiet);
            // The shared cluster would keep their WAL for the rest of the suite.
            await cluster.ExecuteAsync($"select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name in ('{slots[0]}', '{slots[1]}')", Ct);
        }
    }

    [Fact]
    public async Task Two_sources_one_dead_archive_the_live_one_and_report_lag_and_health_without_passwords()
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        await cluster.ExecuteAsync("select pg_create_physical_replication_slot('hold_daemon', true)", Ct);
        var mainDir = CliTestSupport.CreateDirectory(Path.GetTempPath(), "daemon-main");
        var deadDir = CliTestSupport.CreateDirectory(Path.GetTempPath(), "daemon-dead");
        try
        {
            await using var d = DaemonRun.Start([
                Source("main", DaemonRun.Conninfo(cluster), mainDir),
                Source("dead", $"host=127.0.0.1 port={CliTestSupport.ClosedPort()} user=postgres password=sekret-pw", deadDir),
            ]);
            await d.WaitForAsync("/healthz", (_, body) => body.Contains("\"streaming\"", StringComparison.Ordinal), Timeout);

            await cluster.GenerateWalAsync(20_000);
            await cluster.GenerateWalAsync(100, switchWal: false);
            var metrics = await d.WaitForAsync("/metrics", (_, body) =>
                DaemonRun.Sample(body, "walreceiver_lag_bytes", "main") == 0
                && DaemonRun.Sample(body, "walreceiver_segment_completed_total", "main") >= 2, Timeout);
            Assert.True(DaemonRun.Sample(metrics.Body, "walreceiver_wal_flushed_bytes_total", "main") > 2 * cluster.WalSegmentSize, metrics.Body);
            Assert.Equal(1, DaemonRun.Sample(metrics.Body, "walreceiver_source_up", "main"));
            Assert.Equal(0, DaemonRun.Sample(metrics.Body, "walreceiver_source_up", "dead"));
            Assert.True(DaemonRun.Sample(metrics.Body, "walreceiver_errors_total", "dead") >= 1, metrics.Body);
            Assert.Null(DaemonRun.Sample(metrics.Body, "walreceiver_lag_bytes", "dead")); // never connected: no lag to report
            // The slot is polled every second, so a poll taken during the burst may still show it behind: wait for the next.
            var slot = await d.WaitForAsync("/metrics", (_, body) => DaemonRun.Sample(body, "walreceiver_slot_retained_bytes", "main") < cluster.WalSegmentSize
                && body.Contains("walreceiver_slot_wal_status{", StringComparison.Ordinal), Timeout);
            Assert.Contains("wal_status=\"reserved\"", slot.Body, StringComparison.Ordinal);

            var health = await d.GetAsync("/healthz");
            Assert.Equal(503, health!.Value.Status);
            Assert.Contains("\"name\": \"dead\"", health.Value.Body, StringComparison.Ordinal);
            Assert.Contains("Connection refused", health.Value.Body, StringComparison.Ordinal);

            d.Process.Signal(PosixSignal.Terminate);
            Assert.Equal(0, await d.Process.WaitForExitAsync(Timeout));
            Assert.Contains("[dead]", d.Process.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("finished segment", d.Process.Stderr, StringComparison.Ordinal); // only with -v
            foreach (var text in new[] { d.Process.Stderr, metrics.Body, health.Value.Body })
                Assert.DoesNotContain("sekret-pw", text, StringComparison.Ordinal);
            await ArchiveAssert.MatchesServerAsync(cluster, mainDir, minimumComplete: 2);
        }
        finally
        {
            CliTestSupport.DeleteDirectory(mainDir);
            CliTestSupport.DeleteDirectory(deadDir);
        }
    }

    [Fact]
    public async Task Two_live_sources_one_compressed_are_both_archived_verified_and_the_lag_of_each_falls_to_zero_after_a_burst()
    {
        await using var one = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        await using var two = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        var dirs = new[] { CliTestSupport.CreateDirectory(Path.GetTempPath(), "daemon-one"), CliTestSupport.CreateDirectory(Path.GetTempPath(), "daemon-two") };
        try
        {
            foreach (var c in new[] { one, two })
                await c.ExecuteAsync("select pg_create_physical_replication_slot('hold_daemon', true)", Ct);
            var compressed = new { Name = "two", ConnectionString = DaemonRun.Conninfo(two), Slot = "archiver", CreateSlot = true, Directory = dirs[1], Compression = "zstd:1" };
            await using var d = DaemonRun.Start([Source("one", DaemonRun.Conninfo(one), dirs[0]), compressed], null, "-v");
            await d.WaitForAsync("/healthz", (status, _) => status == 200, Timeout);
            await Task.WhenAll(one.GenerateWalAsync(20_000), two.GenerateWalAsync(30_000));
            await d.WaitForAsync("/metrics", (_, body) => new[] { "one", "two" }.All(n =>
                DaemonRun.Sample(body, "walreceiver_lag_bytes", n) == 0 && DaemonRun.Sample(body, "walreceiver_segment_completed_total", n) >= 2
                && DaemonRun.Sample(body, "walreceiver_flushed_age_seconds", n) == 0
                && DaemonRun.Sample(body, "walreceiver_verification_records_total", n) > 1000
                && DaemonRun.Sample(body, "walreceiver_verification_failures_total", n) is null or 0), Timeout);
            d.Process.Signal(PosixSignal.Terminate);
            Assert.Equal(0, await d.Process.WaitForExitAsync(Timeout));
            foreach (var name in new[] { "one", "two" })
                Assert.Matches($@" info: \[{name}\] finished segment [0-9A-F]{{24}}(\.zst)? at ", d.Process.Stderr);
            await ArchiveAssert.MatchesServerAsync(one, dirs[0], minimumComplete: 2);
            await ArchiveAssert.MatchesServerAsync(two, dirs[1], minimumComplete: 2);
            Assert.All(Directory.GetFiles(dirs[1], "0*"), f => Assert.Contains(".zst", f, StringComparison.Ordinal));
            Assert.DoesNotContain(Directory.GetFiles(dirs[0], "0*"), f => f.Contains(".zst", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var dir in dirs)
                CliTestSupport.DeleteDirectory(dir);
        }
    }

    [Fact]
    public async Task Health_turns_503_when_a_source_stops_streaming_and_200_again_when_it_is_back()
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        var dir = CliTestSupport.CreateDirectory(Path.GetTempPath(), "daemon-health");
        try
        {
            await using var d = DaemonRun.Start([Source("only", DaemonRun.Conninfo(cluster), dir)]);
            await d.WaitForAsync("/healthz", (status, _) => status == 200, Timeout);
            await cluster.StopAsync("fast", Ct);
            var down = await d.WaitForAsync("/healthz", (status, _) => status == 503, Timeout);
            Assert.Contains("\"name\": \"only\"", down.Body, StringComparison.Ordinal);
            await cluster.StartServerAsync(Ct);
            await d.WaitForAsync("/healthz", (status, _) => status == 200, Timeout);
            d.Process.Signal(PosixSignal.Terminate);
            Assert.Equal(0, await d.Process.WaitForExitAsync(Timeout));
        }
        finally
        {
            CliTestSupport.DeleteDirectory(dir);
        }
    }

    [Fact]
    public async Task Environment_variables_override_the_configuration_file()
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        var dir = CliTestSupport.CreateDirectory(Path.GetTempPath(), "daemon-env");
        var other = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{CliTestSupport.ClosedPort()}");
        try
        {
            await using var d = DaemonRun.Start([Source("env", DaemonRun.Conninfo(cluster), "/nonexistent-overridden")],
                new Dictionary<string, string> { ["WALRECEIVER__SOURCES__0__DIRECTORY"] = dir, ["WALRECEIVER__HTTP__URL"] = other });
            using var http = new HttpClient();
            var deadline = DateTime.UtcNow + Timeout;
            while (true)
            {
                try
                {
                    if ((await http.GetStringAsync(new Uri(other + "/healthz"), Ct)).Contains("\"streaming\"", StringComparison.Ordinal))
                        break;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                    // not listening yet, or 503 while connecting
                }

                Assert.True(DateTime.UtcNow < deadline, d.Process.Stderr);
                await Task.Delay(100, Ct);
            }

            Assert.True(File.Exists(Path.Combine(dir, "walreceiver.systemid")), d.Process.Stderr);
        }
        finally
        {
            CliTestSupport.DeleteDirectory(dir);
        }
    }
}

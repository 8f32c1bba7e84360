using Npgsql;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;

namespace WalReceiver.IntegrationTests.ObjectStorage;

/// <summary>
/// A point-in-time recovery from the bucket alone: the receiver uploads the WAL (<c>-Z zstd</c>), the local archive is
/// deleted, and a base backup recovers to a time with <c>restore_command = 'walreceiver restore --target ...'</c>, served
/// partly from the prefetch spool, ending with exactly the rows committed before that time.
/// </summary>
public sealed class BucketRecoveryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_base_backup_recovers_to_a_target_time_from_the_bucket_after_the_local_archive_is_deleted()
    {
        await using var s3 = await S3Server.StartAsync(Ct);
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), Ct);
        await using var run = await ArchiveRun.StartAsync(cluster, "bucketpitr");
        var backup = Path.Combine(cluster.WorkDirectory, "backup");
        string time;
        await using (var receiver = BucketTargetTests.Start(run, cluster, s3, "-Z", "zstd"))
        {
            await receiver.WaitForStderrAsync("starting log streaming", Timeout);
            await cluster.RunProgramAsync("pg_basebackup", ["-h", cluster.Host, "-p", PointInTimeRecoveryTests.Port(cluster), "-U", cluster.SuperUser,
                "-D", backup, "-X", "none", "-c", "fast", "--no-sync"], Ct);
            await cluster.ExecuteAsync("create table orders(id int)", Ct);
            await cluster.GenerateWalAsync(40_000, switchWal: false, Ct); // several segments for recovery to fetch ahead
            for (var id = 1; id <= 3; id++)
                await cluster.ExecuteAsync($"insert into orders values ({id})", Ct);
            time = (await cluster.QueryScalarAsync<string>("select clock_timestamp()::text", Ct))!; // after 3, before 4
            await Task.Delay(TimeSpan.FromMilliseconds(300), Ct);
            await cluster.ExecuteAsync("insert into orders values (4)", Ct);
            await cluster.ExecuteAsync("insert into orders values (5)", Ct);
            var end = await cluster.SwitchWalAsync(Ct); // the segment of 4 and 5 completes and is uploaded
            await run.WaitForFlushAsync(end, Timeout);
            receiver.Signal(PosixSignal.Interrupt);
            Assert.Equal(0, await receiver.WaitForExitAsync(Timeout)); // the stop waits for the uploads
        }

        var uploaded = BucketTargetTests.CompleteFiles(run.Directory);
        Assert.True(uploaded.Count >= 5, string.Join(", ", uploaded));
        Assert.Equal(uploaded.Select(n => "main/" + n), await s3.KeysAsync("main/", Ct));
        Directory.Delete(run.Directory, recursive: true);

        // restore_command runs as the server's OS user, with the bucket's credentials in its own environment.
        var credentials = string.Join(' ', s3.Environment.Where(e => e.Key != "AWS_ENDPOINT_URL_S3").Select(e => $"{e.Key}={e.Value}"));
        var command = $"{credentials} {ServerReachableCli.Executable} restore -v --target s3://{s3.Bucket}/main --endpoint {s3.Endpoint} --prefetch 3 %f %p";
        // No local archive: an empty directory stands in for the one the helper's cp default would read.
        var none = CliTestSupport.CreateDirectory(cluster.WorkDirectory, "no-local-archive");
        var (port, log) = await PointInTimeRecoveryTests.RestoreAsync(cluster, backup, none, $"recovery_target_time = '{time}'\n", Ct, command);
        try
        {
            await using var restored = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username={cluster.SuperUser};Pooling=false");
            await restored.OpenAsync(Ct);
            await using var rows = new NpgsqlCommand("select coalesce(array_agg(id order by id), '{}') from orders", restored);
            var ids = (int[])(await rows.ExecuteScalarAsync(Ct))!;
            Assert.Equal(new[] { 1, 2, 3 }, ids);
            var text = await File.ReadAllTextAsync(log, Ct);
            Assert.Contains("recovery stopping before commit of transaction", text, StringComparison.Ordinal);
            Assert.Contains($"from \"s3://{s3.Bucket}/main/", text, StringComparison.Ordinal);
            Assert.Contains(".walreceiver-prefetch/", text, StringComparison.Ordinal); // some segments came from the spool
            Assert.DoesNotContain("walreceiver: error", text, StringComparison.Ordinal);
        }
        finally
        {
            await cluster.RunProgramAsync("pg_ctl", ["-D", backup, "-m", "immediate", "-w", "stop"], CancellationToken.None);
        }
    }
}

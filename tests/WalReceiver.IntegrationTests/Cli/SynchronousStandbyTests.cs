using System.Diagnostics;
using Npgsql;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Cli;

/// <summary>
/// <c>--synchronous</c> as a synchronous standby: commits return only once the receiver has flushed their WAL, and the
/// unsafe <c>remote_write</c> setup is refused. Each test has its own cluster: a receiver that never acknowledges would
/// otherwise hang every commit of the shared one.
/// </summary>
public sealed class SynchronousStandbyTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one commit may wait for the receiver. statement_timeout does not end a wait for synchronous replication
    /// (the commit is done before the timeout can fire), so the client enforces it.
    /// </summary>
    private static readonly TimeSpan CommitTimeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Synchronous_receiver_acknowledges_every_commit_and_holds_its_wal()
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), Ct);
        var slot = CliTestSupport.UniqueName("sync");
        var application = CliTestSupport.UniqueName("walreceiver_sync");
        var directory = CliTestSupport.CreateDirectory(cluster.WorkDirectory, "sync");
        await cluster.ExecuteAsync($"select pg_create_physical_replication_slot('{slot}', true)", Ct);
        await using var receiver = ReceiverProcess.Start(
            ["receive", .. ReceiverProcess.ConnectionArgs(cluster), "--synchronous", "-S", slot, "-D", directory],
            ReceiverEnvironment(cluster, application));
        Lsn committed;
        try
        {
            await WaitForReplicationAsync(cluster, receiver, application, "state", "streaming");
            await SetSynchronousStandbyNamesAsync(cluster, application);
            await WaitForReplicationAsync(cluster, receiver, application, "sync_state", "sync");

            await CommitRowsAsync(cluster, receiver, rows: 20);
            committed = Lsn.Parse((await cluster.QueryScalarAsync<string>("select pg_current_wal_lsn()::text", Ct))!);

            await CliTestSupport.WaitUntilAsync(
                () => cluster.QueryScalarAsync<bool>(
                    $"select coalesce(bool_or(flush_lsn >= '{committed}'), false) from pg_stat_replication where application_name = '{application}'",
                    Ct),
                Wait, () => $"flush_lsn to reach {committed}; stderr:\n{receiver.Stderr}");
            Assert.True(await cluster.QueryScalarAsync<bool>(
                $"select flush_lsn <= sent_lsn from pg_stat_replication where application_name = '{application}'", Ct),
                "the receiver reported a flush position beyond what the server sent");
        }
        finally
        {
            // Before the receiver goes: a synchronous standby that is gone blocks every commit.
            await SetSynchronousStandbyNamesAsync(cluster, "");
        }

        receiver.Signal(PosixSignal.Terminate);
        var code = await receiver.WaitForExitAsync(Wait);
        Assert.True(code == 0, $"exit code {code}, stderr:\n{receiver.Stderr}");

        await ArchiveAssert.MatchesServerAsync(cluster, directory, minimumComplete: 0);
        var committedFile = Path.Combine(directory, CoveringFileName(cluster, committed, out var needed));
        var complete = File.Exists(committedFile);
        var partial = committedFile + WalFileName.PartialSuffix;
        Assert.True(complete || (File.Exists(partial) && new FileInfo(partial).Length >= needed),
            $"the archive does not hold WAL up to the last commit ({committed}): {string.Join(", ", Directory.GetFiles(directory))}");
    }

    [Fact]
    public async Task Synchronous_receiver_under_remote_write_exits_3()
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), Ct);
        var slot = CliTestSupport.UniqueName("remote_write");
        var application = CliTestSupport.UniqueName("walreceiver_rw");
        var directory = CliTestSupport.CreateDirectory(cluster.WorkDirectory, "remote-write");
        await cluster.ExecuteAsync($"select pg_create_physical_replication_slot('{slot}', true)", Ct);
        await cluster.ExecuteAsync("alter system set synchronous_commit = remote_write", Ct);
        await SetSynchronousStandbyNamesAsync(cluster, application);
        await CliTestSupport.WaitUntilAsync(
            async () => await cluster.QueryScalarAsync<string>("show synchronous_commit", Ct) == "remote_write",
            Wait, () => "synchronous_commit = remote_write to take effect");

        var (code, stderr) = await ReceiverProcess.RunAsync(
            ["receive", .. ReceiverProcess.ConnectionArgs(cluster), "--synchronous", "-S", slot, "-D", directory],
            TimeSpan.FromSeconds(20), ReceiverEnvironment(cluster, application));

        Assert.True(code == 3, $"exit code {code}, stderr:\n{stderr}");
        Assert.Contains("remote_write", stderr);
        Assert.Contains(application, stderr);
    }

    private static Dictionary<string, string> ReceiverEnvironment(PostgresCluster cluster, string application)
    {
        var environment = new Dictionary<string, string> { ["PGAPPNAME"] = application };
        if (cluster.Password is { } password)
            environment["PGPASSWORD"] = password;
        return environment;
    }

    /// <summary>Sets synchronous_standby_names and waits until new sessions see it (a reload is asynchronous).</summary>
    private static async Task SetSynchronousStandbyNamesAsync(PostgresCluster cluster, string names)
    {
        await cluster.ExecuteAsync($"alter system set synchronous_standby_names = '{names}'; select pg_reload_conf()", CancellationToken.None);
        await CliTestSupport.WaitUntilAsync(
            async () => await cluster.QueryScalarAsync<string>("show synchronous_standby_names", CancellationToken.None) == names,
            Wait, () => $"synchronous_standby_names = '{names}' to take effect");
    }

    private static async Task WaitForReplicationAsync(PostgresCluster cluster, ReceiverProcess receiver, string application,
        string column, string value)
    {
        string? seen = null;
        await CliTestSupport.WaitUntilAsync(
            async () => (seen = await cluster.QueryScalarAsync<string>(
                $"select {column} from pg_stat_replication where application_name = '{application}'", Ct)) == value,
            Wait, () => $"pg_stat_replication.{column} = '{value}' (last seen: '{seen}'); stderr:\n{receiver.Stderr}");
    }

    /// <summary>Commits one row per transaction, failing if any commit waits <see cref="CommitTimeout"/> for the receiver.</summary>
    private static async Task CommitRowsAsync(PostgresCluster cluster, ReceiverProcess receiver, int rows)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        var notices = new List<string>();
        connection.Notice += (_, e) =>
        {
            lock (notices)
                notices.Add(e.Notice.MessageText);
        };
        await connection.OpenAsync(Ct);
        var table = CliTestSupport.UniqueName("t");
        await ExecuteWithTimeoutAsync(connection, "set statement_timeout = '10s'", receiver);
        await ExecuteWithTimeoutAsync(connection, $"create table {table} (x int)", receiver);
        for (var i = 1; i <= rows; i++)
            await ExecuteWithTimeoutAsync(connection, $"insert into {table} values ({i})", receiver);

        // A cancelled wait commits locally and only warns ("canceling wait for synchronous replication").
        lock (notices)
            Assert.DoesNotContain(notices, n => n.Contains("synchronous replication", StringComparison.Ordinal));
        Assert.Equal(rows, await cluster.QueryScalarAsync<int>($"select count(*) from {table}", Ct));
    }

    private static async Task ExecuteWithTimeoutAsync(NpgsqlConnection connection, string sql, ReceiverProcess receiver)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(CommitTimeout);
        await using var command = new NpgsqlCommand(sql, connection);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await command.ExecuteNonQueryAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            Assert.Fail($"\"{sql}\" did not commit within {CommitTimeout.TotalSeconds} s: the receiver did not acknowledge it. " +
                $"stderr:\n{receiver.Stderr}");
        }

        Assert.True(stopwatch.Elapsed < CommitTimeout, $"\"{sql}\" took {stopwatch.Elapsed} to commit");
    }

    /// <summary>The archive file holding the byte just before <paramref name="lsn"/>, and how long its .partial must be.</summary>
    private static string CoveringFileName(PostgresCluster cluster, Lsn lsn, out long neededLength)
    {
        var size = new WalSegmentSize(cluster.WalSegmentSize);
        var last = new Lsn(lsn.Value - 1);
        neededLength = size.OffsetIn(last) + 1L;
        return WalFileName.Format(1, last, size);
    }
}

using System.Diagnostics;
using WalReceiver.Diagnostics;
using WalReceiver.Hosting;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Hosting;

/// <summary>The library's receiver against a real server: what it archives, how it stops, and how it fails.</summary>
public sealed class WalArchiveReceiverTests(SharedCluster shared)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Streams_segments_identical_to_the_server_and_stops_with_the_rest_in_a_partial()
    {
        // A cluster of its own: on the shared one another test's pg_switch_wal can complete the segment just before the
        // stop, leaving a .partial with no WAL in it yet (seen once in a clean-clone run).
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), Ct);
        var directory = CliTestSupport.CreateDirectory(cluster.WorkDirectory, "library");
        var slot = CliTestSupport.UniqueName("library");
        Lsn stoppedAt;
        await using (var receiver = await WalArchiveReceiver.StartAsync(
            new WalArchiveReceiverOptions { ConnectionString = cluster.LibpqConnectionString, Directory = directory, SlotName = slot }, Ct))
        {
            await cluster.GenerateWalAsync(20_000, ct: Ct);
            var end = await cluster.GenerateWalAsync(500, switchWal: false, Ct);
            await receiver.WaitForFlushAsync(end, Ct);
            Assert.True(receiver.FlushedLsn >= end);
            await receiver.StopAsync(Ct);
            Assert.True(receiver.HasEnded);
            stoppedAt = receiver.FlushedLsn;

            // Another stop, and disposal after it, are quiet.
            await receiver.StopAsync(Ct);
        }

        Assert.True(Directory.Exists(directory), "a directory the caller gave is kept");
        var complete = await ArchiveAssert.MatchesServerAsync(cluster, directory, minimumComplete: 2);
        var segments = new Storage.WalArchive(directory).GetSegments();
        Assert.Equal(complete + 1, segments.Count);
        Assert.True(segments[^1].IsPartial && segments[^1].Contains(stoppedAt));

        // The slot was created, and the stop reported the flush: the server keeps nothing the archive already has.
        Assert.Equal(stoppedAt.ToString(), await cluster.QueryScalarAsync<string>($"select restart_lsn::text from pg_replication_slots where slot_name = '{slot}'", Ct));
    }

    [Fact]
    public async Task Without_a_directory_it_archives_into_a_temporary_one_that_disposal_removes()
    {
        var cluster = shared.Cluster;
        string directory;
        await using (var receiver = await WalArchiveReceiver.StartAsync(
            new WalArchiveReceiverOptions { ConnectionString = cluster.LibpqConnectionString, Synchronous = true }, Ct))
        {
            directory = receiver.Archive.Directory;
            var end = await cluster.GenerateWalAsync(100, switchWal: false, Ct);
            var waited = Stopwatch.StartNew();
            await receiver.WaitForFlushAsync(end, Ct);
            TestContext.Current.TestOutputHelper?.WriteLine($"flushed {end} {waited.ElapsedMilliseconds} ms after asking");
            Assert.NotEmpty(receiver.Archive.ReadRecords());
            Assert.True(Directory.Exists(directory));
        }

        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task A_server_that_is_not_there_fails_the_start_with_the_connection_error()
    {
        var options = new WalArchiveReceiverOptions { ConnectionString = $"host=127.0.0.1 port={CliTestSupport.ClosedPort()} user=postgres connect_timeout=5" };

        var error = await Assert.ThrowsAsync<WalReceiverException>(() => WalArchiveReceiver.StartAsync(options, Ct));

        Assert.Equal(FailureKind.Transient, error.Kind);
        Assert.Contains("127.0.0.1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("host=127.0.0.1 port=notanumber", "port")]
    [InlineData("host=127.0.0.1 user='unterminated", "quote")]
    public async Task A_malformed_connection_string_is_an_argument_error_and_leaves_no_directory(string connectionString, string named)
    {
        var before = Directory.GetDirectories(Path.GetTempPath(), "walreceiver-*").Length;

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            WalArchiveReceiver.StartAsync(new WalArchiveReceiverOptions { ConnectionString = connectionString }, Ct));

        Assert.Contains(named, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, Directory.GetDirectories(Path.GetTempPath(), "walreceiver-*").Length);
    }

    [Fact]
    public async Task An_unknown_compression_is_an_argument_error_naming_the_choices()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => WalArchiveReceiver.StartAsync(
            new WalArchiveReceiverOptions { ConnectionString = shared.Cluster.LibpqConnectionString, Compression = "brotli" }, Ct));

        Assert.Contains("zstd", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wait_ends_with_the_failure_when_the_server_goes_away()
    {
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(UseDocker: false), Ct);
        await using var receiver = await WalArchiveReceiver.StartAsync(
            new WalArchiveReceiverOptions { ConnectionString = cluster.LibpqConnectionString }, Ct);
        var end = await cluster.GenerateWalAsync(100, switchWal: false, Ct);
        await receiver.WaitForFlushAsync(end, Ct);

        await cluster.KillAsync(Ct);

        // Far beyond anything the server wrote: only the failure can end this wait.
        var error = await Assert.ThrowsAsync<WalReceiverException>(() => receiver.WaitForFlushAsync(end + (1UL << 40), Ct).WaitAsync(TimeSpan.FromSeconds(90), Ct));
        Assert.Equal(FailureKind.Transient, error.Kind);
        Assert.True(receiver.HasEnded);
    }

    [Fact]
    public async Task At_its_end_position_it_ends_by_itself_and_a_wait_beyond_says_so()
    {
        var cluster = shared.Cluster;
        var start = await cluster.CurrentWalLsnAsync(Ct);
        var stop = start + 200_000;
        await using var receiver = await WalArchiveReceiver.StartAsync(
            new WalArchiveReceiverOptions { ConnectionString = cluster.LibpqConnectionString, EndLsn = stop }, Ct);
        await cluster.GenerateWalAsync(5_000, switchWal: false, Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => receiver.WaitForFlushAsync(stop + 1_000_000, Ct));

        Assert.Contains($"before {stop + 1_000_000}", error.Message, StringComparison.Ordinal);
        Assert.True(receiver.HasEnded);
        Assert.True(receiver.FlushedLsn >= stop);
        await receiver.StopAsync(Ct); // ended cleanly: nothing to report
    }
}

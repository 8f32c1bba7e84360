using System.Diagnostics;
using WalReceiver.Diagnostics;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.Replication;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Faults;

/// <summary>
/// The server words its errors in the session's <c>lc_messages</c>. A gap and a missing slot must be recognised by their
/// SQLSTATE whatever the language: German here (Debian's PostgreSQL ships the translation; the de_DE.UTF-8 locale must
/// exist, scripts/prerequisites.sh generates it). Each test checks the server really answered in German.
/// </summary>
public sealed class LocalizedErrorTests
{
    private const string German = "-c lc_messages=de_DE.UTF-8";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Removed_wal_is_a_gap_exit_4_when_the_server_speaks_German()
    {
        RequireGermanLocale();
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        var directory = CliTestSupport.CreateDirectory(cluster.WorkDirectory, "gap-de");
        var end = await cluster.GenerateWalAsync(100, switchWal: false);
        var first = await ReceiverProcess.RunAsync(["receive", .. ReceiverProcess.ConnectionArgs(cluster), "-D", directory, "-n", "-E", end.ToString()], Timeout);
        Assert.True(first.ExitCode == 0, first.Stderr);
        var needed = Directory.GetFiles(directory, "*.partial").Select(Path.GetFileName).Single()![..WalFileName.Length];

        // No slot holds WAL for this archive: a few segments and two checkpoints later the server has removed it.
        for (var i = 0; i < 3; i++)
            await cluster.GenerateWalAsync(10_000);
        await cluster.ExecuteAsync("checkpoint", Ct);
        await cluster.ExecuteAsync("checkpoint", Ct);
        Assert.DoesNotContain(needed, await cluster.ListWalFilesAsync(Ct));

        var (code, stderr) = await ReceiverProcess.RunAsync(["receive", .. ReceiverProcess.ConnectionArgs(cluster), "-D", directory, "-n"], Timeout,
            new Dictionary<string, string> { ["PGOPTIONS"] = German });

        Assert.Contains("entfernt", stderr, StringComparison.Ordinal); // the server's own words, in German
        Assert.DoesNotContain("has already been removed", stderr, StringComparison.Ordinal);
        Assert.True(code == 4, $"exit code {code}, stderr:\n{stderr}");
        Assert.Contains("gap", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_slot_at_start_replication_needs_configuration_when_the_server_speaks_German()
    {
        RequireGermanLocale();
        await using var cluster = await TestClusters.StartAsync(new PostgresClusterOptions(), Ct);
        var connection = cluster.ReplicationConnectionString + ";Options=" + German;
        await using var source = await NpgsqlWalSource.OpenAsync(connection, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), Ct);
        var start = source.Identity.WalSegmentSize.StartOf(source.Identity.XLogPos);

        // READ_REPLICATION_SLOT answers "no such slot" without an error; START_REPLICATION is where the server says it.
        var e = await Assert.ThrowsAsync<WalReceiverException>(async () =>
        {
            await foreach (var chunk in source.StreamAsync("no_such_slot_de", start, source.Identity.Timeline, Ct))
                Assert.Fail($"streamed {chunk.Data.Length} bytes from a slot that does not exist");
        });

        Assert.Contains("existiert nicht", e.Message, StringComparison.Ordinal);
        Assert.Equal(FailureKind.Configuration, e.Kind);
        Assert.Contains("--create-slot", e.Message, StringComparison.Ordinal);
    }

    private static void RequireGermanLocale()
    {
        var locales = Process.Start(new ProcessStartInfo("locale", "-a") { RedirectStandardOutput = true })!;
        var list = locales.StandardOutput.ReadToEnd();
        locales.WaitForExit();
        Prerequisites.Require(list.Split('\n').Any(l => l.Trim().Equals("de_DE.utf8", StringComparison.OrdinalIgnoreCase)),
            "the de_DE.UTF-8 locale (localedef -i de_DE -f UTF-8 de_DE.UTF-8; scripts/prerequisites.sh does it)");
    }
}

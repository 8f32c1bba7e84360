// The README's xunit example, verbatim between the markers (ReadmeExampleTests checks that the README still shows it).
// This project imports WalReceiver.Testing globally; the example says it, as a user's project needs it.
#pragma warning disable IDE0005
// README example begins
using WalReceiver.Hosting;
using WalReceiver.Storage;
using WalReceiver.Testing;

namespace MyProject.Tests;

public sealed class ArchiveExampleTests
{
    [Fact]
    public async Task A_committed_insert_is_archived_with_its_commit_record()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions(WalSegmentSizeMb: 1), ct);
        await using var receiver = await WalArchiveReceiver.StartAsync(
            new WalArchiveReceiverOptions { ConnectionString = cluster.LibpqConnectionString, SlotName = "example" }, ct);

        await cluster.ExecuteAsync("create table orders(id int); insert into orders values (42)", ct);
        var xid = await cluster.QueryScalarAsync<long>("select xmin::text::bigint from orders where id = 42", ct);
        var end = await cluster.SwitchWalAsync(ct);
        await receiver.WaitForFlushAsync(end, ct);

        // The insert's commit record arrived whole, with a good CRC...
        var commit = Assert.Single(receiver.Archive.ReadRecords(), r => r.ResourceManagerName == "Transaction" && r.Xid == xid);
        Assert.True(commit.CrcOk);

        // ...in a segment that is byte for byte what the server has in pg_wal.
        var segment = Assert.Single(receiver.Archive.GetSegments(), s => s.Contains(commit.Lsn));
        Assert.False(segment.IsPartial);
        Assert.Equal(await cluster.ReadWalFileAsync(segment.SegmentName, ct), WalArchive.ReadSegment(segment));
    }
}
// README example ends

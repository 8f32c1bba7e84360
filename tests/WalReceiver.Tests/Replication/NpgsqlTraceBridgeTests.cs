using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using NpgsqlTypes;
using WalReceiver.Diagnostics;
using WalReceiver.Replication;

namespace WalReceiver.Tests.Replication;

/// <summary>
/// The bridge reads Npgsql's replication events by name and structured values (the integration tests check that Npgsql
/// still sends them so); here, how it finds the stream an event belongs to and how it words the reasons.
/// </summary>
public sealed class NpgsqlTraceBridgeTests : IDisposable
{
    private readonly FakeLogger _logger = new();

    public void Dispose()
    {
        ProtocolTrace.Current = null;
        ProtocolTrace.StatusReason = null;
    }

    private IReadOnlyList<string> Lines => [.. _logger.Collector.GetSnapshot().Select(r => r.Message)];

    [Fact]
    public async Task An_event_of_a_timer_outside_the_traced_flow_reaches_the_trace_of_its_connection()
    {
        using var trace = new ProtocolTrace(_logger, new FakeTimeProvider());
        ProtocolTrace.Current = trace;
        ProtocolTrace.StatusReason = "flushed: test";
        NpgsqlTraceBridge.Observe("SendingReplicationStandbyStatusUpdate", Values(4101, ("Reason", "SendStatusUpdatewas called")));
        NpgsqlTraceBridge.Observe("SentReplicationFeedbackMessage", Sent(4101, 0x2000, 0x1000));

        // Npgsql's timer: another flow, which knows no trace.
        await Task.Run(() =>
        {
            ProtocolTrace.Current = null;
            NpgsqlTraceBridge.Observe("SendingReplicationStandbyStatusUpdate", Values(4101, ("Reason", "WalReceiverStatusInterval of 00:00:10 has expired")));
            NpgsqlTraceBridge.Observe("SentReplicationFeedbackMessage", Sent(4101, 0x2000, 0x2000));
            NpgsqlTraceBridge.Observe("SentReplicationFeedbackMessage", Sent(999, 0x3000, 0x3000)); // a connection nobody traces
        }, TestContext.Current.CancellationToken);

        Assert.Equal(
            [
                "trace status update write 0/2000 flush 0/1000 apply 0/0 (flushed: test)",
                "trace status update write 0/2000 flush 0/2000 apply 0/0 (Npgsql: WalReceiverStatusInterval of 00:00:10 has expired)",
            ],
            Lines);
    }

    [Fact]
    public void A_keepalive_and_the_server_requested_reply_are_told_apart_from_other_updates()
    {
        using var trace = new ProtocolTrace(_logger, new FakeTimeProvider());
        ProtocolTrace.Current = trace;
        NpgsqlTraceBridge.Observe("ReceivedReplicationPrimaryKeepalive",
            Values(4102, ("EndLsn", new NpgsqlLogSequenceNumber(0x5000)), ("Timestamp", new DateTime(2026, 11, 28, 1, 2, 3, DateTimeKind.Utc))));
        NpgsqlTraceBridge.Observe("SendingReplicationStandbyStatusUpdate", Values(4102, ("Reason", "the server requested it")));
        NpgsqlTraceBridge.Observe("SentReplicationFeedbackMessage", Sent(4102, 0x5000, 0x5000));
        NpgsqlTraceBridge.Observe("StartingPhysicalReplication", Values(4102, ("SlotName", "s"))); // not ours to print

        Assert.Equal(
            [
                "trace keepalive server end 0/5000 sent 01:02:03.000000 reply requested yes",
                "trace status update write 0/5000 flush 0/5000 apply 0/0 (the server's keepalive asked for a reply)",
            ],
            Lines);
    }

    [Fact]
    public void After_its_stream_ends_a_connection_is_traced_no_more()
    {
        var trace = new ProtocolTrace(_logger, new FakeTimeProvider());
        ProtocolTrace.Current = trace;
        NpgsqlTraceBridge.Observe("SendingReplicationStandbyStatusUpdate", Values(4103, ("Reason", "SendStatusUpdatewas called")));
        trace.Dispose();
        ProtocolTrace.Current = null;

        NpgsqlTraceBridge.Observe("SentReplicationFeedbackMessage", Sent(4103, 0x1, 0x1));

        Assert.Empty(Lines);
    }

    private static KeyValuePair<string, object?>[] Sent(int connector, ulong write, ulong flush) => Values(connector,
        ("LastReceivedLsn", new NpgsqlLogSequenceNumber(write)), ("LastFlushedLsn", new NpgsqlLogSequenceNumber(flush)),
        ("LastAppliedLsn", new NpgsqlLogSequenceNumber(0)), ("Timestamp", DateTime.UtcNow));

    private static KeyValuePair<string, object?>[] Values(int connector, params (string Key, object? Value)[] values) =>
        [.. values.Select(v => new KeyValuePair<string, object?>(v.Key, v.Value)), new("ConnectorId", connector)];
}

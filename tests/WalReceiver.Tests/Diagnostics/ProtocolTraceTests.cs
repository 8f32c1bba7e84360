using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using WalReceiver.Diagnostics;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Diagnostics;

public sealed class ProtocolTraceTests
{
    private static readonly DateTime SentAt = new(2026, 11, 28, 1, 2, 3, DateTimeKind.Utc);

    private readonly FakeLogger _logger = new();
    private readonly FakeTimeProvider _time = new();

    private IReadOnlyList<string> Lines => [.. _logger.Collector.GetSnapshot().Select(r => r.Message)];

    [Fact]
    public void A_keepalive_followed_by_the_reply_it_asked_for_says_so()
    {
        using var trace = new ProtocolTrace(_logger, _time);

        trace.Keepalive(new Lsn(0x1650118), SentAt);
        Assert.Empty(Lines); // not known yet whether a reply follows
        trace.ReplyRequested();
        trace.StatusUpdate(new Lsn(0x1650118), new Lsn(0x1650118), Lsn.Invalid, "the server's keepalive asked for a reply");

        Assert.Equal(
            [
                "trace keepalive server end 0/1650118 sent 01:02:03.000000 reply requested yes",
                "trace status update write 0/1650118 flush 0/1650118 apply 0/0 (the server's keepalive asked for a reply)",
            ],
            Lines);
    }

    [Fact]
    public void A_keepalive_with_no_reply_after_it_is_written_when_the_window_passes()
    {
        using var trace = new ProtocolTrace(_logger, _time);

        trace.Keepalive(new Lsn(0x100), SentAt);
        _time.Advance(TimeSpan.FromMilliseconds(19));
        Assert.Empty(Lines);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(["trace keepalive server end 0/100 sent 01:02:03.000000 reply requested no"], Lines);
        trace.ReplyRequested(); // too late to belong to it: nothing more
        Assert.Single(Lines);
    }

    [Fact]
    public void A_message_after_a_keepalive_settles_it_first_so_lines_stay_in_order()
    {
        using var trace = new ProtocolTrace(_logger, _time);

        trace.Keepalive(new Lsn(0x100), SentAt);
        trace.XLogData(new Lsn(0x100), 56, new Lsn(0x138));
        trace.Keepalive(new Lsn(0x138), SentAt);
        trace.Keepalive(new Lsn(0x140), SentAt);

        Assert.Equal(
            [
                "trace keepalive server end 0/100 sent 01:02:03.000000 reply requested no",
                "trace XLogData start 0/100 end 0/138 length 56 server end 0/138",
                "trace keepalive server end 0/138 sent 01:02:03.000000 reply requested no",
            ],
            Lines);
    }

    [Fact]
    public void Disposal_writes_a_keepalive_still_waiting_and_ends_the_trace()
    {
        var trace = new ProtocolTrace(_logger, _time);
        Assert.True(ProtocolTrace.AnyActive);
        trace.Keepalive(new Lsn(0x100), SentAt);

        trace.Dispose();
        trace.Dispose();

        Assert.True(trace.IsDisposed);
        Assert.Single(Lines);
    }
}

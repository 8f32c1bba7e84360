using Microsoft.Extensions.Time.Testing;
using WalReceiver.Diagnostics;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Diagnostics;

public sealed class SourceStateTests
{
    [Fact]
    public void Lag_and_age_are_zero_while_caught_up_and_grow_while_behind()
    {
        var time = new FakeTimeProvider();
        var s = new SourceState("x", time);
        Assert.Null(s.LagBytes);
        Assert.Null(s.FlushAgeSeconds);
        s.SetStatus(SourceStatus.Streaming);
        s.Flush(Lsn.Parse("0/1000"));
        s.SetServerEnd(Lsn.Parse("0/1000"));
        time.Advance(TimeSpan.FromSeconds(30)); // an idle server: caught up, however long it stays quiet
        Assert.Equal(0, s.LagBytes);
        Assert.Equal(0, s.FlushAgeSeconds);

        s.SetServerEnd(Lsn.Parse("0/3000"));
        time.Advance(TimeSpan.FromSeconds(7));
        Assert.Equal(0x2000, s.LagBytes);
        Assert.Equal(37, s.FlushAgeSeconds);
        Assert.Equal(0x2000, s.Flush(Lsn.Parse("0/3000")));
        Assert.Equal(0, s.FlushAgeSeconds);
    }
}

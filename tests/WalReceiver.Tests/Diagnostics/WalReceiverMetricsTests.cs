using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using WalReceiver.Diagnostics;
using WalReceiver.Hosting;
using WalReceiver.Tests.Hosting;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Diagnostics;

public sealed class WalReceiverMetricsTests
{
    [Fact]
    public async Task Streaming_counts_received_and_flushed_bytes_segments_and_fsyncs_and_lag_reaches_zero()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var registry = new SourceRegistry(TimeProvider.System);
        var metrics = new WalReceiverMetrics(factory, registry);
        using var received = new MetricCollector<long>(factory, WalReceiverMetrics.MeterName, "walreceiver.wal.received");
        using var flushed = new MetricCollector<long>(factory, WalReceiverMetrics.MeterName, "walreceiver.wal.flushed");
        using var segments = new MetricCollector<long>(factory, WalReceiverMetrics.MeterName, "walreceiver.segment.completed");
        using var fsyncs = new MetricCollector<double>(factory, WalReceiverMetrics.MeterName, "walreceiver.fsync.duration");
        using var lag = new MetricCollector<long>(factory, WalReceiverMetrics.MeterName, "walreceiver.lag");

        using var dir = new TempDirectory();
        var start = Lsn.Parse("0/100000");
        var wal = TestWal.Make(start, (1 << 20) + 5000);
        var source = new FakeWalSource(wal, start, 8192, FakeWalSource.MakeIdentity());
        var options = new WalReceiverOptions { Name = "m", Directory = dir.Path, ConnectionString = "x", Slot = "s", EndPosition = (start + (ulong)wal.Length).ToString() };
        var attempt = new StreamingAttempt(options, source, TimeProvider.System, NullLogger.Instance, registry.Get("m"), metrics);
        await attempt.RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(wal.Length, received.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(wal.Length, flushed.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, segments.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.True(fsyncs.GetMeasurementSnapshot().Count >= 2);
        Assert.All(received.GetMeasurementSnapshot(), m => Assert.Equal("m", m.Tags[WalReceiverMetrics.SourceTag]));
        lag.RecordObservableInstruments();
        Assert.Equal(0, lag.LastMeasurement!.Value);
    }
}

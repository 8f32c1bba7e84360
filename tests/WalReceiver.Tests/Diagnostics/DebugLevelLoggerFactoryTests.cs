using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using WalReceiver.Diagnostics;

namespace WalReceiver.Tests.Diagnostics;

public sealed class DebugLevelLoggerFactoryTests
{
    [Fact]
    public void Every_level_above_trace_arrives_as_debug_under_the_same_category()
    {
        using var provider = new FakeLoggerProvider();
        using var inner = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Trace));
        using var factory = new DebugLevelLoggerFactory(inner);
        var logger = factory.CreateLogger("Npgsql.Replication");

        logger.Log(LogLevel.Error, "feedback failed");
        logger.Log(LogLevel.Information, "opened");
        logger.Log(LogLevel.Trace, "bytes");

        var records = provider.Collector.GetSnapshot();
        Assert.Equal([LogLevel.Debug, LogLevel.Debug, LogLevel.Trace], records.Select(r => r.Level));
        Assert.All(records, r => Assert.Equal("Npgsql.Replication", r.Category));
    }

    [Fact]
    public void Nothing_is_written_when_debug_is_off()
    {
        using var provider = new FakeLoggerProvider();
        using var inner = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Information));
        using var factory = new DebugLevelLoggerFactory(inner);
        var logger = factory.CreateLogger("Npgsql");

        Assert.False(logger.IsEnabled(LogLevel.Error));
        logger.Log(LogLevel.Critical, "not shown without -v");
        Assert.Empty(provider.Collector.GetSnapshot());
    }
}

using System.Text;
using System.Text.Json;
using WalReceiver.Diagnostics;
using WalReceiver.Hosting;

namespace WalReceiver.Tests.Hosting;

public sealed class HealthReportTests
{
    [Fact]
    public void A_failure_with_a_stack_trace_is_reported_as_its_first_line_only()
    {
        var failed = new SourceState("a", TimeProvider.System);
        var bug = new InvalidOperationException("boom");
        failed.SetStatus(SourceStatus.Failed, $"unexpected error, please report it: {bug.GetType().Name}: boom\n   at WalReceiver.Hosting.X.Y()\n   at Z");

        using var buffer = new MemoryStream();
        bool healthy;
        using (var json = new Utf8JsonWriter(buffer))
            healthy = HealthReport.Write(json, [failed], _ => HealthLimits.None);

        Assert.False(healthy);
        using var document = JsonDocument.Parse(Encoding.UTF8.GetString(buffer.ToArray()));
        var reason = document.RootElement.GetProperty("sources")[0].GetProperty("reason").GetString()!;
        Assert.Equal("failed: unexpected error, please report it: InvalidOperationException: boom", reason);
    }

    [Fact]
    public void An_upload_backlog_over_its_limit_is_unhealthy_while_streaming_and_within_it_healthy()
    {
        var state = new SourceState("a", TimeProvider.System);
        state.SetStatus(SourceStatus.Streaming);
        state.SetUploadBacklog(3, 3 << 20);

        var (healthy, source) = Report(state, new HealthLimits(long.MaxValue, 2 << 20));
        Assert.False(healthy);
        Assert.Equal($"upload backlog of 3 files ({3 << 20} bytes) is over the limit of {2 << 20}", source.GetProperty("reason").GetString());
        Assert.Equal(3, source.GetProperty("uploadBacklogFiles").GetInt64());
        Assert.Equal(3 << 20, source.GetProperty("uploadBacklogBytes").GetInt64());

        (healthy, source) = Report(state, new HealthLimits(long.MaxValue, 3 << 20));
        Assert.True(healthy);
        Assert.False(source.TryGetProperty("reason", out _));
    }

    [Fact]
    public void A_source_without_a_bucket_has_no_backlog_in_the_report()
    {
        var state = new SourceState("a", TimeProvider.System);
        state.SetStatus(SourceStatus.Streaming);

        var (healthy, source) = Report(state, new HealthLimits(long.MaxValue, 0));

        Assert.True(healthy);
        Assert.False(source.TryGetProperty("uploadBacklogFiles", out _));
    }

    private static (bool Healthy, JsonElement Source) Report(SourceState state, HealthLimits limits)
    {
        using var buffer = new MemoryStream();
        bool healthy;
        using (var json = new Utf8JsonWriter(buffer))
            healthy = HealthReport.Write(json, [state], _ => limits);
        using var document = JsonDocument.Parse(Encoding.UTF8.GetString(buffer.ToArray()));
        return (healthy, document.RootElement.GetProperty("sources")[0].Clone());
    }
}

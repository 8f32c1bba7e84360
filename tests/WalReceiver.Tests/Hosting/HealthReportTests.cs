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
            healthy = HealthReport.Write(json, [failed], _ => long.MaxValue);

        Assert.False(healthy);
        using var document = JsonDocument.Parse(Encoding.UTF8.GetString(buffer.ToArray()));
        var reason = document.RootElement.GetProperty("sources")[0].GetProperty("reason").GetString()!;
        Assert.Equal("failed: unexpected error, please report it: InvalidOperationException: boom", reason);
    }
}

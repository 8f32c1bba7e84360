using System.Text.Json;
using WalReceiver.Diagnostics;

namespace WalReceiver.Hosting;

/// <summary>The answer of <c>/healthz</c>: healthy only when every source streams within its lag and upload backlog limits.</summary>
internal static class HealthReport
{
    /// <summary>Writes the JSON body and returns whether all sources are healthy.</summary>
    public static bool Write(Utf8JsonWriter json, IReadOnlyList<SourceState> sources, Func<string, HealthLimits> limits)
    {
        var healthy = sources.Count > 0;
        json.WriteStartObject();
        json.WriteStartArray("sources");
        foreach (var s in sources)
        {
            var reason = Reason(s, limits(s.Name));
            healthy &= reason is null;
            json.WriteStartObject();
            json.WriteString("name", s.Name);
            json.WriteString("status", s.Status.ToString().ToLowerInvariant());
            json.WriteBoolean("healthy", reason is null);
            if (reason is not null)
                json.WriteString("reason", reason);
            if (s.LagBytes is { } lag)
                json.WriteNumber("lagBytes", lag);
            if (s.FlushAgeSeconds is { } age)
                json.WriteNumber("flushedAgeSeconds", Math.Round(age, 3));
            if (s.UploadBacklogFiles is { } files)
                json.WriteNumber("uploadBacklogFiles", files);
            if (s.UploadBacklogBytes is { } bytes)
                json.WriteNumber("uploadBacklogBytes", bytes);
            json.WriteString("flushedLsn", s.Flushed.ToString());
            json.WriteString("serverLsn", s.ServerEnd.ToString());
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("status", healthy ? "healthy" : "unhealthy");
        json.WriteEndObject();
        return healthy;
    }

    private static string? Reason(SourceState s, HealthLimits limits) => s.Status switch
    {
        SourceStatus.Streaming when s.LagBytes > limits.MaxLagBytes => $"lag {s.LagBytes} bytes is over the limit of {limits.MaxLagBytes}",
        // A bucket that is down, refuses us, or holds other content: streaming goes on, the archive is one disk only.
        SourceStatus.Streaming when s.UploadBacklogBytes > limits.MaxUploadBacklogBytes =>
            $"upload backlog of {s.UploadBacklogFiles} files ({s.UploadBacklogBytes} bytes) is over the limit of {limits.MaxUploadBacklogBytes}",
        SourceStatus.Streaming => null,
        SourceStatus.Starting => "not streaming yet",
        _ => $"{s.Status.ToString().ToLowerInvariant()}: {s.LastError ?? "no error recorded"}",
    };
}

using System.Text.Json;
using WalReceiver.Diagnostics;

namespace WalReceiver.Hosting;

/// <summary>The answer of <c>/healthz</c>: healthy only when every source streams within its lag limit.</summary>
internal static class HealthReport
{
    /// <summary>Writes the JSON body and returns whether all sources are healthy.</summary>
    public static bool Write(Utf8JsonWriter json, IReadOnlyList<SourceState> sources, Func<string, long> maxLagBytes)
    {
        var healthy = sources.Count > 0;
        json.WriteStartObject();
        json.WriteStartArray("sources");
        foreach (var s in sources)
        {
            var reason = Reason(s, maxLagBytes(s.Name));
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
            json.WriteString("flushedLsn", s.Flushed.ToString());
            json.WriteString("serverLsn", s.ServerEnd.ToString());
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("status", healthy ? "healthy" : "unhealthy");
        json.WriteEndObject();
        return healthy;
    }

    private static string? Reason(SourceState s, long maxLag) => s.Status switch
    {
        SourceStatus.Streaming when s.LagBytes > maxLag => $"lag {s.LagBytes} bytes is over the limit of {maxLag}",
        SourceStatus.Streaming => null,
        SourceStatus.Starting => "not streaming yet",
        _ => $"{s.Status.ToString().ToLowerInvariant()}: {s.LastError ?? "no error recorded"}",
    };
}

using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using WalReceiver.Cli.Logging;
using WalReceiver.Diagnostics;
using WalReceiver.Hosting;

namespace WalReceiver.Cli.Commands.Run;

/// <summary>What <c>walreceiver run</c> does: host every source, and serve <c>/metrics</c> and <c>/healthz</c>.</summary>
internal static class RunCommand
{
    /// <summary>Runs until SIGINT or SIGTERM; returns 3 for a configuration that does not validate.</summary>
    public static async Task<int> RunAsync(FileInfo? config, bool verbose, string[] overrides, TextWriter error)
    {
        if (config is { Exists: false })
        {
            await error.WriteLineAsync($"walreceiver: error: configuration file \"{config.FullName}\" does not exist");
            return ExitCodes.Configuration;
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.Sources.Clear();
        try
        {
            if (config is not null)
                builder.Configuration.AddJsonFile(config.FullName, optional: false, reloadOnChange: false);
            builder.Configuration.AddEnvironmentVariables().AddCommandLine(overrides);
            if (verbose)
                builder.Configuration.AddInMemoryCollection([new($"{WalReceiverOptions.Section}:{nameof(DaemonOptions.LogSegments)}", "true")]);
        }
        catch (InvalidDataException e)
        {
            await error.WriteLineAsync($"walreceiver: error: cannot read the configuration: {e.Message} {e.InnerException?.InnerException?.Message}");
            return ExitCodes.Configuration;
        }

        ConsoleLogging.Configure(builder.Logging, verbose);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        // Under systemd (Type=notify) this reports READY and STOPPING; elsewhere it does nothing.
        builder.Services.AddSystemd();
        builder.Services.AddWalReceiverDaemon(builder.Configuration);
        var http = new HttpOptions();
        builder.Configuration.GetSection($"{WalReceiverOptions.Section}:Http").Bind(http);
        var otlp = new OtlpOptions();
        builder.Configuration.GetSection($"{WalReceiverOptions.Section}:Otlp").Bind(otlp);
        builder.Services.AddOpenTelemetry().WithMetrics(m =>
        {
            m.AddMeter(WalReceiverMetrics.MeterName).AddPrometheusExporter();
            if (otlp.Endpoint is { Length: > 0 } endpoint && Uri.TryCreate(endpoint, UriKind.Absolute, out var baseUri))
                m.AddOtlpExporter((exporter, reader) => ConfigureOtlp(exporter, reader, otlp, baseUri));
        });
        builder.WebHost.UseUrls(http.Url);

        var app = builder.Build();
        var outcome = app.Services.GetRequiredService<RunOutcome>();

        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/healthz", WriteHealthAsync);
        try
        {
            await app.RunAsync();
        }
        catch (OptionsValidationException e)
        {
            foreach (var failure in e.Failures)
                await error.WriteLineAsync($"walreceiver: error: {failure}");
            return ExitCodes.Configuration;
        }
        catch (IOException e)
        {
            await error.WriteLineAsync($"walreceiver: error: cannot listen on {http.Url}: {e.Message}. Set WalReceiver:Http:Url to a free address");
            return ExitCodes.Configuration;
        }
        catch (OperationCanceledException) when (outcome.AllSourcesEnded)
        {
            // Every source ended while the host was still starting (its only archive in use, say): stopping then cancels
            // the web server's start, which is no error of its own; the sources' outcome decides the exit code below.
        }

        // Every source ended on its own: the most severe reason is the exit code, so systemd or docker see the failure.
        // Stopped by a signal: 0, unless the stop itself could not leave the archive flushed.
        return outcome.AllSourcesEnded || outcome.StopFailed ? ExitCodes.For(outcome.Kind) : ExitCodes.Success;
    }

    private static async Task WriteHealthAsync(HttpContext context, SourceRegistry sources, IOptions<DaemonOptions> options)
    {
        var limits = options.Value.Sources.ToDictionary(s => s.Name, s => new HealthLimits(s.MaxLagBytes, s.MaxUploadBacklogBytes), StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        bool healthy;
        await using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            healthy = HealthReport.Write(json, sources.All, name => limits.GetValueOrDefault(name, HealthLimits.None));
        context.Response.StatusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted);
    }

    // Bad values are refused by the validator before the host starts; here they are only applied.
    private static void ConfigureOtlp(OtlpExporterOptions exporter, MetricReaderOptions reader, OtlpOptions otlp, Uri baseUri)
    {
        var grpc = otlp.Protocol == "grpc";
        exporter.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        // Set in code, the http endpoint is used as it is: it must name the metrics path.
        exporter.Endpoint = grpc ? baseUri : new Uri(baseUri, "v1/metrics");
        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)otlp.ExportInterval.TotalMilliseconds;
    }
}

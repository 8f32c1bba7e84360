namespace WalReceiver.Hosting;

/// <summary>Pushing metrics to an OpenTelemetry collector (<c>WalReceiver:Otlp</c>); off unless an endpoint is given.</summary>
internal sealed class OtlpOptions
{
    /// <summary>The collector's base address, e.g. <c>http://127.0.0.1:4318</c> (http/protobuf) or <c>:4317</c> (grpc).</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>http/protobuf</c> (default) or <c>grpc</c>.</summary>
    public string Protocol { get; set; } = "http/protobuf";

    /// <summary>How often metrics are pushed.</summary>
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(15);
}

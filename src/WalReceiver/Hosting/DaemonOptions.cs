namespace WalReceiver.Hosting;

/// <summary>The configuration of <c>walreceiver run</c> (section <c>WalReceiver</c>).</summary>
internal sealed class DaemonOptions
{
    /// <summary>The clusters to archive, each supervised on its own.</summary>
    public List<SourceConfig> Sources { get; set; } = [];

    /// <summary>The metrics and health endpoint.</summary>
    public HttpOptions Http { get; set; } = new();

    /// <summary>Optional push of the metrics over OTLP.</summary>
    public OtlpOptions Otlp { get; set; } = new();

    /// <summary>One line per completed segment at information level (<c>walreceiver run -v</c> sets it).</summary>
    public bool LogSegments { get; set; }
}

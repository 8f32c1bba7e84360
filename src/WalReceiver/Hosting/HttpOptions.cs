namespace WalReceiver.Hosting;

/// <summary>The daemon's HTTP endpoint (<c>WalReceiver:Http</c>): <c>/metrics</c> and <c>/healthz</c>.</summary>
internal sealed class HttpOptions
{
    /// <summary>Where to listen; loopback by default, so metrics are not exposed unless asked.</summary>
    public string Url { get; set; } = "http://127.0.0.1:9898";
}

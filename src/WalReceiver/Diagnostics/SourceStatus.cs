namespace WalReceiver.Diagnostics;

/// <summary>What a source is doing, as health and metrics report it.</summary>
internal enum SourceStatus
{
    /// <summary>Connecting for the first time.</summary>
    Starting,

    /// <summary>Receiving WAL.</summary>
    Streaming,

    /// <summary>Lost the connection; waiting to try again.</summary>
    Reconnecting,

    /// <summary>Stopped by a failure no retry can fix; see the last error.</summary>
    Failed,

    /// <summary>Stopped as asked (signal, end position).</summary>
    Stopped,
}

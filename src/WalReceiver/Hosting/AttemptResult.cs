namespace WalReceiver.Hosting;

/// <summary>How one streaming attempt ended without an exception.</summary>
internal enum AttemptResult
{
    /// <summary>Stopped because the host is stopping (signal).</summary>
    Stopped,

    /// <summary><c>--endpos</c> was reached.</summary>
    EndPositionReached,

    /// <summary>The server ended the stream (shutdown, end of timeline); plan again on a new connection.</summary>
    StreamEnded,
}

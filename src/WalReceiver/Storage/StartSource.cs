namespace WalReceiver.Storage;

/// <summary>What decided the start position (pg_receivewal's three steps, in order).</summary>
internal enum StartSource
{
    /// <summary>After the newest complete segment in the archive.</summary>
    CompleteSegment,

    /// <summary>At the start of the newest <c>.partial</c> segment in the archive.</summary>
    PartialSegment,

    /// <summary>The slot's <c>restart_lsn</c>, because the archive holds no segment.</summary>
    SlotRestartLsn,

    /// <summary>The server's current position from <c>IDENTIFY_SYSTEM</c>.</summary>
    ServerPosition,
}

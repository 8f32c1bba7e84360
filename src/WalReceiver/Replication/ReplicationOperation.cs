namespace WalReceiver.Replication;

/// <summary>
/// What we were doing when the server or Npgsql failed: the same SQLSTATE means different things in different commands
/// (42704 during START_REPLICATION is our slot; 58P01 while streaming is WAL the server already removed).
/// </summary>
internal enum ReplicationOperation
{
    /// <summary>Opening the connection: authentication, IDENTIFY_SYSTEM, SHOW.</summary>
    Connect,

    /// <summary><c>READ_REPLICATION_SLOT</c>.</summary>
    ReadSlot,

    /// <summary><c>CREATE_REPLICATION_SLOT</c>.</summary>
    CreateSlot,

    /// <summary><c>DROP_REPLICATION_SLOT</c>.</summary>
    DropSlot,

    /// <summary><c>TIMELINE_HISTORY</c>.</summary>
    TimelineHistory,

    /// <summary><c>START_REPLICATION</c> and the stream it opens.</summary>
    Stream,

    /// <summary>Ordinary SQL (the status command, the slot monitor).</summary>
    Sql,
}

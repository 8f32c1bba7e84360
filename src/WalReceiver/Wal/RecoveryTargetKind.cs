namespace WalReceiver.Wal;

/// <summary>
/// The kinds of WAL record a recovery target can stop at. The values are written to recovery target index files, so
/// they never change.
/// </summary>
internal enum RecoveryTargetKind : byte
{
    /// <summary><c>XLOG_XACT_COMMIT</c> or <c>XLOG_XACT_COMMIT_PREPARED</c>.</summary>
    Commit = 1,

    /// <summary><c>XLOG_XACT_ABORT</c> or <c>XLOG_XACT_ABORT_PREPARED</c>, of a transaction or of a subtransaction.</summary>
    Abort = 2,

    /// <summary><c>XLOG_RESTORE_POINT</c>, written by <c>pg_create_restore_point()</c>.</summary>
    RestorePoint = 3,
}

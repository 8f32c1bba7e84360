namespace WalReceiver.Wal;

/// <summary>What the bytes at a <see cref="RecoveryTargetScanner"/>'s position are (outside page headers).</summary>
internal enum RecoveryTargetScannerMode
{
    /// <summary>Before the stream's first page header: whether the stream starts inside a record is not known yet.</summary>
    Start,

    /// <summary>The tail of a record begun before the stream started (<c>xlp_rem_len</c> of the first page): skipped.</summary>
    ContinuedRecord,

    /// <summary>Records: a record's header or body, or the alignment padding before the next one.</summary>
    Records,

    /// <summary>After an <c>XLOG_SWITCH</c> record: the rest of the segment, page headers included, is padding.</summary>
    SwitchPadding,

    /// <summary>Scanning stopped (end of WAL, bytes that are not WAL, or an event record that could not be decoded).</summary>
    Stopped,
}

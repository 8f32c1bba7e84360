namespace WalReceiver.Wal;

/// <summary>What the bytes at a <see cref="WalStreamVerifier"/>'s position are expected to be (outside page headers).</summary>
internal enum WalVerifierMode
{
    /// <summary>Before the first page header: whether the stream starts inside a record is not known yet.</summary>
    Start,

    /// <summary>The tail of a record begun before the stream started: it cannot be checked and is skipped.</summary>
    SkipContinuation,

    /// <summary>Alignment padding up to the next MAXALIGNed record start.</summary>
    Padding,

    /// <summary>A record: its header, then its body.</summary>
    Record,

    /// <summary>After an <c>XLOG_SWITCH</c> record: zeros to the end of the segment, page headers included.</summary>
    SwitchPadding,

    /// <summary>After the end of valid WAL in a file read back (zeros where a record should start); the rest is ignored.</summary>
    EndOfWal,

    /// <summary>A problem was reported; nothing more is checked.</summary>
    Failed,
}

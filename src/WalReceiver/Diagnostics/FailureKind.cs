namespace WalReceiver.Diagnostics;

/// <summary>
/// Why a run stopped; the command line maps each kind to its exit code (see the README's exit-code table).
/// </summary>
public enum FailureKind
{
    /// <summary>Stopped as asked: a signal, <c>--endpos</c> reached, a slot action done.</summary>
    None = 0,

    /// <summary>A failure a retry might fix (lost connection, server restart); only ends the run with <c>-n</c>.</summary>
    Transient = 1,

    /// <summary>The command line is wrong (unknown option, bad LSN, conflicting options).</summary>
    Usage = 2,

    /// <summary>Configuration the user must fix; never retried (authentication, missing slot, unwritable directory).</summary>
    Configuration = 3,

    /// <summary>Going on would damage or mix the archive; never retried (a gap, another cluster's WAL).</summary>
    ArchiveDamage = 4,
}

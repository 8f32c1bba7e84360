namespace WalReceiver.Diagnostics;

/// <summary>
/// A failure with a message written for the operator (what happened and what to do) and a <see cref="FailureKind"/>
/// that decides whether the supervisor retries and which exit code the process returns.
/// </summary>
public sealed class WalReceiverException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WalReceiverException(FailureKind kind, string message, Exception? innerException = null)
        : base(message, innerException) => Kind = kind;

    /// <summary>Creates a transient failure.</summary>
    public WalReceiverException()
        : this(FailureKind.Transient, "unknown failure")
    {
    }

    /// <summary>Creates a transient failure.</summary>
    public WalReceiverException(string message)
        : this(FailureKind.Transient, message)
    {
    }

    /// <summary>Creates a transient failure.</summary>
    public WalReceiverException(string message, Exception innerException)
        : this(FailureKind.Transient, message, innerException)
    {
    }

    /// <summary>How to treat the failure.</summary>
    public FailureKind Kind { get; }

    /// <summary>
    /// An fsync failed: WAL we received may not be on disk, although the run could otherwise stop cleanly. A retry streams
    /// it again, but a stop (a signal, <c>--endpos</c>) after it must not exit 0.
    /// </summary>
    public bool IsDurabilityFailure { get; init; }

    /// <summary>
    /// The server refused the slot because a walsender still holds it. Right after the server ended a stream that holder
    /// is most often our own previous connection, which the server releases a moment after we close it.
    /// </summary>
    internal bool IsSlotInUse { get; init; }
}

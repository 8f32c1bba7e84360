using WalReceiver.Diagnostics;

namespace WalReceiver.Hosting;

/// <summary>
/// How the run ended, read by the command line after the host stops. The host itself always exits 0 when a background
/// service fails (dotnet/runtime#67146), so the exit code travels here. Thread-safe: every source records into it.
/// </summary>
internal sealed class RunOutcome
{
    private readonly Lock _lock = new();

    /// <summary>The most severe failure that ended a source; <see cref="FailureKind.None"/> when none did.</summary>
    public FailureKind Kind { get; private set; }

    /// <summary>The message of that failure, if any.</summary>
    public string? Message { get; private set; }

    /// <summary>
    /// Whether every source had ended on its own (a failure no retry fixes, <c>--endpos</c>) before anything asked the
    /// process to stop; a daemon stopped by a signal exits 0 whatever its sources did before.
    /// </summary>
    public bool AllSourcesEnded { get; internal set; }

    /// <summary>Whether stopping failed to leave the archive flushed (an fsync failed while a signal stopped the run).</summary>
    public bool StopFailed { get; internal set; }

    /// <summary>Records the failure that ended a source; the most severe one is kept (damage, then configuration, then transient).</summary>
    public void Record(FailureKind kind, string message)
    {
        lock (_lock)
        {
            if (Severity(kind) <= Severity(Kind))
                return;
            Kind = kind;
            Message = message;
        }
    }

    private static int Severity(FailureKind kind) => kind switch
    {
        FailureKind.None => 0,
        FailureKind.Transient => 1,
        FailureKind.Usage => 2,
        FailureKind.Configuration => 3,
        _ => 4,
    };
}

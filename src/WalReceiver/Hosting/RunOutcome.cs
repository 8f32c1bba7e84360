using WalReceiver.Diagnostics;

namespace WalReceiver.Hosting;

/// <summary>
/// How the streaming service ended, read by the command line after the host stops. The host itself always exits 0
/// when a background service fails (dotnet/runtime#67146), so the exit code travels here.
/// </summary>
public sealed class RunOutcome
{
    /// <summary>Why the run ended; <see cref="FailureKind.None"/> for a clean stop.</summary>
    public FailureKind Kind { get; set; }

    /// <summary>The message of the failure that ended the run, if any.</summary>
    public string? Message { get; set; }
}

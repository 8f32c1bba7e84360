using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WalReceiver.Cli;

/// <summary>
/// SIGINT and SIGTERM stop the receiver cleanly whatever disposition it inherited. A shell starts background jobs
/// (<c>walreceiver receive ... &amp;</c>) with SIGINT ignored, and .NET respects an ignored signal: its handler is never
/// installed, so StopSignals (receive) and the host (run) never see SIGINT and <c>kill -INT</c> is lost. pg_receivewal installs
/// its handler regardless; so do we, by giving ignored signals their default back before .NET sets up its signal handling.
/// </summary>
/// <remarks>
/// This must run before the first use of <see cref="Console"/> (which sets up .NET's signal handling and records the
/// ignored disposition for good), hence a module initializer. Only signals that are ignored are touched: the runtime's
/// own SIGTERM handler, installed before this runs, stays.
/// </remarks>
internal static partial class SignalDisposition
{
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private const nint Ignore = 1; // SIG_IGN
    private const nint Default = 0; // SIG_DFL

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "Must run before Main touches Console.")]
    internal static void ResetIgnoredStopSignals()
    {
        if (!OperatingSystem.IsLinux())
            return; // the layout read below is Linux's
        // struct sigaction starts with the handler (glibc and musl); 256 bytes covers the whole struct (152 on glibc).
        var current = new byte[256];
        foreach (var signal in (ReadOnlySpan<int>)[SigInt, SigTerm])
        {
            if (GetAction(signal, null, current) == 0 && BitConverter.ToInt64(current, 0) == Ignore)
                _ = SetHandler(signal, Default);
        }
    }

    [LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static partial int GetAction(int signal, byte[]? action, byte[] previous);

    [LibraryImport("libc", EntryPoint = "signal", SetLastError = true)]
    private static partial nint SetHandler(int signal, nint handler);
}

using System.Runtime.InteropServices;

namespace WalReceiver.Cli.Commands.Restore;

/// <summary>
/// SIGINT, SIGTERM and SIGQUIT cancel the copy so the temporary file is removed before the process ends; a copy that does
/// not stop within a grace period is ended anyway, with the signal's exit code.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _cancellation;
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignals()
    {
        _cancellation = new CancellationTokenSource();
        _registrations = OperatingSystem.IsWindows()
            ? []
            : [Register(PosixSignal.SIGINT, 2), Register(PosixSignal.SIGTERM, 15), Register(PosixSignal.SIGQUIT, 3)];
    }

    public CancellationToken Token => _cancellation.Token;

    /// <summary>The number of the signal that stopped the copy, if one did.</summary>
    public int? Received { get; private set; }

    public void Dispose()
    {
        foreach (var r in _registrations)
            r.Dispose();
        _cancellation.Dispose();
    }

    private PosixSignalRegistration Register(PosixSignal signal, int number) => PosixSignalRegistration.Create(signal, context =>
    {
        context.Cancel = true;
        Received ??= number;
        _cancellation.Cancel();
        // The copy sees the cancellation between reads; a read that hangs (a dead network file system) must not keep the
        // process alive against the signal.
        _ = Task.Delay(GracePeriod).ContinueWith(_ => Environment.Exit(128 + number), TaskScheduler.Default);
    });
}

using System.Runtime.InteropServices;

namespace WalReceiver.Cli.Commands.Restore;

/// <summary>SIGINT, SIGTERM and SIGQUIT cancel the copy so the temporary file is removed before the process ends.</summary>
internal sealed class StopSignals : IDisposable
{
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
    });
}

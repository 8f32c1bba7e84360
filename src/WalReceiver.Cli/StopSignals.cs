using System.Runtime.InteropServices;

namespace WalReceiver.Cli;

/// <summary>
/// SIGINT, SIGTERM and SIGQUIT, the signals the generic host's console lifetime handles, cancel <see cref="Token"/> for
/// a verb that runs without the host: <c>restore</c> removes its temporary file, <c>receive</c> flushes and reports what
/// it has. With a grace period, a verb that does not stop within it is ended anyway, with the signal's exit code.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly TimeSpan? _gracePeriod;
    private readonly CancellationTokenSource _cancellation;
    private readonly PosixSignalRegistration[] _registrations;

    /// <param name="gracePeriod">How long the verb may take to stop once signalled; null waits for it however long it takes.</param>
    public StopSignals(TimeSpan? gracePeriod)
    {
        _gracePeriod = gracePeriod;
        _cancellation = new CancellationTokenSource();
        _registrations = OperatingSystem.IsWindows()
            ? []
            : [Register(PosixSignal.SIGINT, 2), Register(PosixSignal.SIGTERM, 15), Register(PosixSignal.SIGQUIT, 3)];
    }

    public CancellationToken Token => _cancellation.Token;

    /// <summary>The number of the signal that stopped the verb, if one did.</summary>
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
        // A copy sees the cancellation between reads; a read that hangs (a dead network file system) must not keep the
        // process alive against the signal.
        if (_gracePeriod is { } grace)
            _ = Task.Delay(grace).ContinueWith(_ => Environment.Exit(128 + number), TaskScheduler.Default);
    });
}

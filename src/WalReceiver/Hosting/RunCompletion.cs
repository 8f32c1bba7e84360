namespace WalReceiver.Hosting;

/// <summary>
/// Stops the run once every source has ended: a daemon whose sources all failed for good must not look healthy to
/// systemd or docker by staying up with nothing to do. <paramref name="stop"/> stops the host (or the hostless run).
/// </summary>
internal sealed class RunCompletion(Action stop, RunOutcome outcome, int sources)
{
    private int _running = sources;

    /// <summary>Called by each source's supervisor when it ends; <paramref name="stopping"/> when the host asked it to.</summary>
    public void SourceEnded(bool stopping)
    {
        if (Interlocked.Decrement(ref _running) != 0)
            return;
        if (!stopping)
            outcome.AllSourcesEnded = true;
        stop();
    }
}

using Microsoft.Extensions.Hosting;

namespace WalReceiver.Hosting;

/// <summary>
/// Stops the host once every source has ended: a daemon whose sources all failed for good must not look healthy to
/// systemd or docker by staying up with nothing to do.
/// </summary>
internal sealed class RunCompletion(IHostApplicationLifetime lifetime, RunOutcome outcome, int sources)
{
    private int _running = sources;

    /// <summary>Called by each source's supervisor when it ends; <paramref name="stopping"/> when the host asked it to.</summary>
    public void SourceEnded(bool stopping)
    {
        if (Interlocked.Decrement(ref _running) != 0)
            return;
        if (!stopping)
            outcome.AllSourcesEnded = true;
        lifetime.StopApplication();
    }
}

using System.Threading.Tasks.Sources;

namespace WalReceiver.Hosting;

/// <summary>
/// Wakes the streaming loop: set from any thread (a read that completed, a stop, a flush deadline), awaited by the loop
/// alone. A set that finds nobody waiting is kept, so the next wait returns at once; spurious wake-ups are fine, the
/// loop looks at what changed. Reused for every wait, so waiting allocates nothing.
/// </summary>
/// <remarks>
/// The waiter continues on the thread that sets the signal, as an ordinary await of the read would: no thread-pool hop
/// per message while catching up. Callers that must not run the loop (a cancellation callback) queue the set.
/// </remarks>
internal sealed class WakeSignal : IValueTaskSource
{
    private readonly Lock _lock = new();
    private ManualResetValueTaskSourceCore<bool> _core;
    private bool _set;
    private bool _waiting;

    /// <summary>The same signal as an action, for callbacks (allocated once).</summary>
    public Action Setter => field ??= Set;

    /// <summary>Wakes the waiter (it runs on, on this thread), or the next wait if nobody waits now.</summary>
    public void Set()
    {
        lock (_lock)
        {
            if (!_waiting)
            {
                _set = true;
                return;
            }

            _waiting = false;
        }

        // Outside the lock: the loop continues here, and may wait again before this returns.
        _core.SetResult(true);
    }

    /// <summary>Sets the signal from a thread-pool thread, for callers that must not run the loop themselves.</summary>
    public void SetLater() => ThreadPool.UnsafeQueueUserWorkItem(static s => s.Set(), this, preferLocal: false);

    /// <summary>Waits until <see cref="Set"/> is called (returns at once if it was called since the last wait). One waiter at a time.</summary>
    public ValueTask WaitAsync()
    {
        lock (_lock)
        {
            if (_set)
            {
                _set = false;
                return ValueTask.CompletedTask;
            }

            _core.Reset();
            _waiting = true;
            return new ValueTask(this, _core.Version);
        }
    }

    /// <inheritdoc/>
    public void GetResult(short token) => _core.GetResult(token);

    /// <inheritdoc/>
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc/>
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

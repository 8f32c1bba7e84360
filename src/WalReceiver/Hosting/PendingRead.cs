namespace WalReceiver.Hosting;

/// <summary>
/// The read of the next message while it is under way. Its completion sets the loop's <see cref="WakeSignal"/>, so the
/// loop waits for it together with a stop and a flush deadline; its result is taken exactly once, as a
/// <see cref="ValueTask{TResult}"/> requires, and a read left under way at the end is awaited before the stream is disposed.
/// </summary>
internal sealed class PendingRead(WakeSignal wake)
{
    private ValueTask<bool> _read;
    private bool _active;
    private bool _registered;

    /// <summary>Whether the read has finished (with a message, the end, or a failure).</summary>
    public bool IsCompleted => _read.IsCompleted;

    /// <summary>Tracks a new read.</summary>
    public void Start(ValueTask<bool> read)
    {
        _read = read;
        _active = true;
        _registered = false;
    }

    /// <summary>Waits until the read completes or anything else sets the signal.</summary>
    public ValueTask WaitAsync()
    {
        if (!_registered)
        {
            _registered = true;
            _read.GetAwaiter().UnsafeOnCompleted(wake.Setter);
        }

        return wake.WaitAsync();
    }

    /// <summary>The completed read's result: true for a message, false for the end of the stream; throws its failure.</summary>
    public bool Result()
    {
        _active = false;
        return _read.GetAwaiter().GetResult();
    }

    /// <summary>Waits for a read still under way (its stream cancelled by now) and drops its outcome.</summary>
    public async Task DrainAsync()
    {
        if (!_active)
            return;
        while (!_read.IsCompleted)
            await WaitAsync();
        try
        {
            Result();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The attempt is over; how its last read ended (usually the cancellation) changes nothing.
        }
    }
}

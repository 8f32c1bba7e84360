using WalReceiver.Hosting;

namespace WalReceiver.Tests.Hosting;

public sealed class WakeSignalTests
{
    [Fact]
    public async Task A_set_before_the_wait_is_kept_for_it_once()
    {
        var signal = new WakeSignal();
        signal.Set();
        signal.Set();
        var first = signal.WaitAsync();
        Assert.True(first.IsCompleted);
        await first;
        var second = signal.WaitAsync();
        Assert.False(second.IsCompleted); // two sets before one wait wake it once
        signal.Set();
        await second;
    }

    [Fact]
    public async Task A_set_from_another_thread_wakes_the_waiter_every_time()
    {
        var signal = new WakeSignal();
        for (var i = 0; i < 1000; i++)
        {
            var wait = signal.WaitAsync();
            var setter = Task.Run(signal.Set, TestContext.Current.CancellationToken);
            await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            await setter;
        }
    }

    [Fact]
    public async Task SetLater_wakes_the_waiter_on_another_thread()
    {
        var signal = new WakeSignal();
        var wait = signal.WaitAsync();
        signal.SetLater();
        await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }
}

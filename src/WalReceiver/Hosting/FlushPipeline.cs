using WalReceiver.Diagnostics;
using WalReceiver.Storage;

namespace WalReceiver.Hosting;

/// <summary>
/// The fsyncs of <c>--synchronous</c>, run on a few threads of their own while the streaming loop goes on receiving and
/// writing: every batch that arrives while fsyncs are under way gets an fsync of its own at once (up to
/// <see cref="MaxInFlight"/>), and each is reported the moment it returns.
/// </summary>
/// <remarks>
/// <para>pg_receivewal receives, writes, fsyncs and reports in series: a commit that arrives during an fsync waits for the
/// rest of it, then for its own. Here it waits only for its own, which overlaps the one under way (fsyncs of one file
/// overlap at the device; see <see cref="WalSegmentWriter.BeginFlush"/>).</para>
/// <para>Threads of its own, not the thread pool: an fsync blocks its thread for its whole duration, and a pool with every
/// thread blocked injects a new one only after a delay, which a synchronous commit would wait out.</para>
/// <para>The loop alone talks to the connection: a finished fsync advances the writer's flush position and sets the loop's
/// <see cref="WakeSignal"/>, and the loop reports (<see cref="TakeFinished"/>). A failed fsync is kept and thrown to the
/// loop; the writer is poisoned by then and reports nothing more.</para>
/// </remarks>
internal sealed class FlushPipeline : IDisposable
{
    /// <summary>How many fsyncs may be under way at once.</summary>
    public const int MaxInFlight = 3;

    private readonly object _lock = new(); // a monitor: the threads wait on it (Monitor.Wait)
    private readonly Queue<FlushTicket> _queue = new();
    private readonly WalSegmentWriter _writer;
    private readonly WakeSignal _wake;
    private readonly Thread[] _threads;
    private int _inFlight;
    private int _finished; // fsyncs finished since the loop last looked
    private WalReceiverException? _failure;
    private bool _stopping;

    /// <summary>Starts the threads that fsync <paramref name="writer"/>'s files and wake <paramref name="wake"/> after each.</summary>
    public FlushPipeline(WalSegmentWriter writer, WakeSignal wake, string name)
    {
        _writer = writer;
        _wake = wake;
        _threads = new Thread[MaxInFlight];
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"fsync {name}" };
            _threads[i].UnsafeStart();
        }
    }

    /// <summary>Fsyncs under way or queued.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
                return _inFlight;
        }
    }

    /// <summary>
    /// Begins an fsync of what the writer has written, unless that is covered by one under way or <see cref="MaxInFlight"/>
    /// are under way (the loop asks again when one finishes).
    /// </summary>
    public void Begin()
    {
        lock (_lock)
        {
            if (_inFlight >= MaxInFlight || _stopping)
                return;
            if (_writer.BeginFlush() is not { } ticket)
                return;
            _inFlight++;
            _queue.Enqueue(ticket);
            Monitor.Pulse(_lock);
        }
    }

    /// <summary>
    /// Whether an fsync finished since the last call: then the writer's <see cref="WalSegmentWriter.FlushedUpTo"/> moved and
    /// is to be reported. Throws the failure of an fsync, if one failed.
    /// </summary>
    public bool TakeFinished()
    {
        lock (_lock)
        {
            if (_failure is not null)
                throw _failure;
            if (_finished == 0)
                return false;
            _finished = 0;
            return true;
        }
    }

    /// <summary>Lets the fsyncs under way finish and ends the threads.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _stopping = true;
            Monitor.PulseAll(_lock);
        }

        foreach (var thread in _threads)
        {
            if (thread != Thread.CurrentThread) // the loop may be running on one of them (see Run)
                thread.Join();
        }
    }

    private void Run()
    {
        while (true)
        {
            FlushTicket ticket;
            lock (_lock)
            {
                while (_queue.Count == 0)
                {
                    if (_stopping)
                        return;
                    Monitor.Wait(_lock);
                }

                ticket = _queue.Dequeue();
            }

            WalReceiverException? failure = null;
            try
            {
                _writer.CompleteFlush(ticket);
            }
            catch (WalReceiverException e)
            {
                failure = e;
            }

            lock (_lock)
            {
                _inFlight--;
                if (failure is not null)
                    _failure ??= failure;
                else
                    _finished++;
            }

            // The loop continues on this thread until it waits again (no hop to another thread), so it may end the pipeline
            // from here: Dispose does not wait for the thread it runs on, and this one sees _stopping when it gets back.
            _wake.Set();
        }
    }
}

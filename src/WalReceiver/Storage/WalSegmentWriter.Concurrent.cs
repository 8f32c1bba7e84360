using System.Diagnostics;
using WalReceiver.Diagnostics;
using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <content>
/// fsyncs that run on other threads while the stream goes on being written (<c>--synchronous</c>): begun under the
/// writer's lock, run without it, so writes never wait for one and several can be under way at once.
/// </content>
/// <remarks>
/// fsync covers every byte written to the file before it was called, whichever thread wrote them and whatever other
/// fsyncs run meanwhile; so an fsync that returns makes its ticket's position durable, and concurrent ones overlap at the
/// device instead of queueing behind each other (on this project's benchmark machine, two threads doing 8 kB
/// pwrite+fdatasync reach 2.4 times the flushes per second of one).
/// </remarks>
internal sealed partial class WalSegmentWriter
{
    private Lsn _flushBegun;

    /// <summary>
    /// Begins an fsync of everything written so far (a compressed file's frame is ended first), or returns null when that
    /// is already on disk or covered by an fsync under way. Run the ticket with <see cref="CompleteFlush"/> on any thread.
    /// </summary>
    /// <exception cref="WalReceiverException">An earlier fsync failed.</exception>
    public FlushTicket? BeginFlush()
    {
        lock (_lock)
        {
            ThrowIfFailed();
            if (_handle is null || _written <= _flushed || _written <= _flushBegun)
                return null;
            _encoder?.EndFrame();
            _flushBegun = _written;
            return new FlushTicket(_handle, _partialPath!, _written);
        }
    }

    /// <summary>
    /// Runs the fsync of <paramref name="ticket"/> without holding the writer, then advances <see cref="FlushedUpTo"/> to
    /// its position. A file completed or closed meanwhile was fsynced by that, and counts as done; a failure poisons the
    /// writer, as a failed <see cref="Flush"/> does.
    /// </summary>
    /// <exception cref="WalReceiverException">The fsync failed (<see cref="WalReceiverException.IsDurabilityFailure"/>).</exception>
    public void CompleteFlush(FlushTicket ticket)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            _sync.File(ticket.Handle);
        }
        catch (ObjectDisposedException)
        {
            return; // closed after a completion or a clean close, whose own fsync covered these bytes (or abandoned: then nothing is claimed)
        }
        catch (IOException e)
        {
            lock (_lock)
                throw _failure ??= DurabilityFailure.Fsync(ticket.Path, e);
        }

        FsyncObserved?.Invoke(Stopwatch.GetElapsedTime(started));
        lock (_lock)
        {
            if (_failure is null && ticket.Position > _flushed)
                _flushed = ticket.Position;
        }
    }
}

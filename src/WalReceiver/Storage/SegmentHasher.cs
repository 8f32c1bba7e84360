using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace WalReceiver.Storage;

/// <summary>
/// Computes the SHA-256 of a plain segment file while it is being written, on a thread of its own, by reading back what
/// the writer has handed to the kernel (from the page cache). Hashing costs about as much CPU as receiving; done here, it
/// runs on another core instead of slowing the receive loop, and is normally finished when the segment is.
/// </summary>
/// <remarks>
/// One file at a time: <see cref="Begin"/>, any number of <see cref="Advance"/>, then <see cref="Complete"/> (waits for
/// the rest and returns the hash) or <see cref="Abandon"/> (the file is given up). The writer closes a file only after
/// one of those two returned, so the handle is never read after it is closed.
/// </remarks>
internal sealed class SegmentHasher : IDisposable
{
    private const int ReadSize = 1 << 20;

    // A sleeping hasher is woken only once this much waits for it (or at Complete): a wake-up per streamed message would
    // cost the receive loop a futex call and a context switch each time.
    private const int WakeSize = 256 << 10;
    private readonly object _gate = new();
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _buffer = new byte[ReadSize];
    private readonly Thread _thread;
    private SafeFileHandle? _file;
    private long _available;
    private long _hashed;
    private bool _reading;
    private bool _idle;
    private bool _stopping;
    private Exception? _error;

    /// <summary>Starts the hashing thread.</summary>
    public SegmentHasher()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "walreceiver sha256" };
        _thread.Start();
    }

    /// <summary>Starts hashing a new file, from its offset 0.</summary>
    public void Begin(SafeFileHandle file)
    {
        lock (_gate)
        {
            WaitWhileReading();
            _hash.GetHashAndReset();
            _file = file;
            _available = 0;
            _hashed = 0;
            _error = null;
        }
    }

    /// <summary>Says that the first <paramref name="written"/> bytes of the file are written.</summary>
    public void Advance(long written)
    {
        lock (_gate)
        {
            _available = written;
            if (_idle && _available - _hashed >= WakeSize)
                Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits until the first <paramref name="length"/> bytes are hashed and returns their SHA-256.</summary>
    /// <exception cref="IOException">Reading the file back failed.</exception>
    public byte[] Complete(long length)
    {
        lock (_gate)
        {
            _available = length;
            Monitor.PulseAll(_gate);
            while (_hashed < length && _error is null)
                Monitor.Wait(_gate);
            _file = null;
            if (_error is { } e)
                throw e as IOException ?? new IOException($"could not read the segment back to hash it: {e.Message}", e);
            return _hash.GetHashAndReset();
        }
    }

    /// <summary>Stops hashing the current file; returns once the thread no longer reads it.</summary>
    public void Abandon()
    {
        lock (_gate)
        {
            _file = null;
            WaitWhileReading();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            _file = null;
            Monitor.PulseAll(_gate);
        }

        _thread.Join();
        _hash.Dispose();
    }

    private void WaitWhileReading()
    {
        while (_reading)
            Monitor.Wait(_gate);
    }

    private void Run()
    {
        while (true)
        {
            SafeFileHandle file;
            long offset;
            int count;
            lock (_gate)
            {
                while (!_stopping && (_file is null || _hashed >= _available || _error is not null))
                {
                    _idle = true;
                    Monitor.Wait(_gate);
                }

                _idle = false;
                if (_stopping)
                    return;
                file = _file!;
                offset = _hashed;
                count = (int)Math.Min(ReadSize, _available - _hashed);
                _reading = true;
            }

            int read = 0;
            Exception? error = null;
            try
            {
                read = RandomAccess.Read(file, _buffer.AsSpan(0, count), offset);
                if (read == 0)
                    throw new IOException($"the segment is shorter than the {offset + count} bytes written to it");
                _hash.AppendData(_buffer, 0, read);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                error = e;
            }

            lock (_gate)
            {
                _reading = false;
                if (ReferenceEquals(_file, file))
                {
                    _hashed += read;
                    _error = error;
                }

                Monitor.PulseAll(_gate);
            }
        }
    }
}

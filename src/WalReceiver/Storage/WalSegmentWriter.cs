using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using WalReceiver.Diagnostics;
using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// Writes streamed WAL into segment files that are byte for byte the server's own (or compress to it): <c>NAME.partial</c>
/// while the segment is in progress; when it is full, fsync the file, record its SHA-256 in the manifest, rename it to
/// <c>NAME</c>, fsync the directory. Compressed files are <c>NAME.gz</c>, <c>NAME.lz4</c> or <c>NAME.zst</c>, with
/// <c>.partial</c> after the suffix while in progress, as pg_receivewal names them.
/// </summary>
/// <remarks>
/// <para>Thread-safe: every member takes the writer's own lock, so a reader of the positions never sees a half-done write.</para>
/// <para>Every write must start at the next expected byte (PostgreSQL's <c>receivelog.c</c> checks the same), and the first
/// write of a segment must start at its offset 0, so every file is written from its beginning.</para>
/// <para>No zero pre-padding while streaming: it would cost a full segment write per segment and bring nothing a restore
/// needs. A <c>.partial</c> closed cleanly is extended to the segment size (sparse, no data written), which is how
/// pg_receivewal leaves it and what a restore of the renamed file expects.</para>
/// <para>Completion waits for verification: a full segment is renamed only once every byte of it is verified (a record that
/// crosses into the next segment has arrived whole and its CRC matched). Until then the bytes after it wait in memory,
/// never in a file, so a stop or a failure leaves the full segment as the newest <c>.partial</c> and streaming resumes
/// at its start.</para>
/// <para>After a failed fsync the writer is poisoned: it never fsyncs that descriptor again nor reports anything more as
/// flushed (<see cref="DurabilityFailure"/>); closing it only releases the descriptor.</para>
/// </remarks>
internal sealed partial class WalSegmentWriter : IDisposable
{
    private const int WritebackBytes = 1 << 20;

    private readonly Lock _lock = new();
    private readonly string _directory;
    private readonly WalSegmentSize _segmentSize;
    private readonly ArchiveFileModes _modes;
    private readonly FileSync _sync;
    private readonly CompressionSpecification _compression;
    private readonly ArchiveManifest _manifest;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256); // of compressed files, frame by frame
    private readonly SegmentHasher _hasher = new(); // of plain files, on its own thread
    private ArrayBufferWriter<byte> _held = new();
    private ArrayBufferWriter<byte> _releasing = new(); // swapped with _held when held bytes go to the next file, so no copy is allocated
    private readonly FrameSink _frames = new(); // one collection buffer for every compressed file of this writer
    private readonly SegmentPreallocator? _preallocator;
    private int _writebackFrom; // the offset in the open file from which writeback has not been asked for yet
    private FileStream? _file;
    private FrameEncoder? _encoder;

    // The stream only creates the file (with its Unix mode) and owns the descriptor. FileStream.SafeFileHandle seeks
    // to the stream's position on every get (an lseek per write), so all I/O goes through this handle, taken once.
    private SafeFileHandle? _handle;
    private string? _partialPath;
    private Lsn _written;
    private Lsn _flushed;
    private Lsn _verified = new(ulong.MaxValue);
    private bool _awaitingVerification;
    private WalReceiverException? _failure;

    /// <summary>
    /// Creates a writer for one timeline, starting at <paramref name="start"/> (a segment start). With
    /// <paramref name="preallocate"/> (plain files, fsync on), new segments are renamed from a zero-filled file written ahead
    /// of time (<see cref="SegmentPreallocator"/>), so a flush never has to commit a file's growth.
    /// </summary>
    public WalSegmentWriter(string directory, WalSegmentSize segmentSize, uint timeline, Lsn start, ArchiveFileModes modes, FileSync sync,
        CompressionSpecification? compression = null, bool preallocate = false)
    {
        if (!segmentSize.IsSegmentStart(start))
            throw new ArgumentException($"streaming must start at a segment start, not {start}", nameof(start));
        _directory = directory;
        _segmentSize = segmentSize;
        Timeline = timeline;
        _modes = modes;
        _sync = sync;
        _compression = compression ?? CompressionSpecification.None;
        _manifest = new ArchiveManifest(directory, modes, sync);
        _written = start;
        _flushed = start;
        if (preallocate && _compression.Algorithm == CompressionAlgorithm.None && sync.Syncs)
        {
            _preallocator = new SegmentPreallocator(directory, segmentSize.Bytes, modes, sync);
            _preallocator.Prepare();
        }
    }

    /// <summary>The timeline whose files this writer names.</summary>
    public uint Timeline { get; }

    /// <summary>The end of the last byte written (handed to the OS, maybe not on disk).</summary>
    public Lsn WrittenUpTo
    {
        get
        {
            lock (_lock)
                return _written;
        }
    }

    /// <summary>The end of the last byte received: <see cref="WrittenUpTo"/> plus what waits for verification in memory.</summary>
    public Lsn ReceivedUpTo
    {
        get
        {
            lock (_lock)
                return _written + (ulong)_held.WrittenCount;
        }
    }

    /// <summary>The end of the last byte known to be on disk: only advanced after an fsync returned (or with <c>--no-sync</c>).</summary>
    public Lsn FlushedUpTo
    {
        get
        {
            lock (_lock)
                return _flushed;
        }
    }

    /// <summary>Whether bytes were written since the last flush.</summary>
    public bool HasUnflushed
    {
        get
        {
            lock (_lock)
                return _written > _flushed;
        }
    }

    /// <summary>The file name of the open <c>.partial</c> (compression suffix included), or of the one that would be opened next.</summary>
    public string PartialFileName
    {
        get
        {
            lock (_lock)
                return _partialPath is { } path && _file is not null
                    ? Path.GetFileName(path)
                    : CompressedWal.NameOf(WalFileName.Format(Timeline, _written, _segmentSize), _compression.Algorithm, partial: true);
        }
    }

    /// <summary>Called with the duration of every fsync of a WAL file (for the fsync histogram).</summary>
    public Action<TimeSpan>? FsyncObserved { get; set; }

    /// <summary>Raised after a segment is complete and renamed; the argument is the file name.</summary>
    public event Action<string>? SegmentCompleted;

    /// <summary>Writes WAL bytes that begin at <paramref name="start"/>, splitting at segment ends (nothing is verified).</summary>
    public void Write(Lsn start, ReadOnlySpan<byte> data) => Write(start, data, new Lsn(ulong.MaxValue));

    /// <summary>
    /// Writes WAL bytes that begin at <paramref name="start"/>, splitting at segment ends; <paramref name="verifiedUpTo"/>
    /// says how far the stream (these bytes included) is verified, and a segment is completed only when all of it is.
    /// </summary>
    public void Write(Lsn start, ReadOnlySpan<byte> data, Lsn verifiedUpTo)
    {
        lock (_lock)
        {
            ThrowIfFailed();
            var received = _written + (ulong)_held.WrittenCount;
            if (start != received)
                throw new WalReceiverException(FailureKind.Transient,
                    $"received WAL starting at {start}, but expected {received}: the stream skipped or repeated bytes; reconnecting");
            _verified = verifiedUpTo;
            if (_awaitingVerification)
                _held.Write(data);
            else
                WriteThrough(data);
            ReleaseVerified();
        }
    }

    private void WriteThrough(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_awaitingVerification)
            {
                _held.Write(data);
                return;
            }

            var offset = _segmentSize.OffsetIn(_written);
            if (_file is null)
                OpenSegment();
            var n = Math.Min(data.Length, _segmentSize.Bytes - offset);
            if (_encoder is { } encoder)
            {
                encoder.Write(data[..n]);
            }
            else
            {
                RandomAccess.Write(_handle!, data[..n], offset);
                _hasher.Advance(offset + n);
                StartWriteback(offset + n);
            }

            data = data[n..];
            _written += (ulong)n;
            if (_segmentSize.IsSegmentStart(_written))
            {
                if (_verified >= _written)
                    CompleteSegment();
                else
                    _awaitingVerification = true;
            }
        }
    }

    // Every WritebackBytes written, the kernel is asked to start writing them to disk, so the fsync at the segment's end
    // (or the next flush) waits for the last of them only, not for the whole segment while the socket stands still.
    private void StartWriteback(int end)
    {
        if (!_sync.Syncs || end - _writebackFrom < WritebackBytes)
            return;
        Fsync.StartWriteback(_handle!, _writebackFrom, end - _writebackFrom);
        _writebackFrom = end;
    }

    // A full segment waiting for verification is completed once it is verified; the bytes held after it go to the next file.
    private void ReleaseVerified()
    {
        while (_awaitingVerification && _verified >= _written)
        {
            _awaitingVerification = false;
            CompleteSegment();
            if (_held.WrittenCount == 0)
                return;
            (_held, _releasing) = (_releasing, _held);
            WriteThrough(_releasing.WrittenSpan); // what does not fit before the next segment end is held again, in _held
            _releasing.ResetWrittenCount();
        }
    }

    /// <summary>fsyncs what was written so far; afterwards <see cref="FlushedUpTo"/> equals <see cref="WrittenUpTo"/>.</summary>
    /// <exception cref="WalReceiverException">The fsync failed (<see cref="WalReceiverException.IsDurabilityFailure"/>).</exception>
    public void Flush()
    {
        lock (_lock)
        {
            ThrowIfFailed();
            if (_written == _flushed)
                return;
            if (_handle is not null)
            {
                _encoder?.EndFrame();
                FsyncFile();
            }

            _flushed = _written;
        }
    }

    /// <summary>
    /// Ends the open <c>.partial</c> cleanly: extends it to the segment size (sparse zeros, as pg_receivewal leaves it; a
    /// compressed one ends its frame instead), fsyncs it, closes it and fsyncs the directory. The segment is not complete
    /// (or not verified to its end), so it keeps its name, and bytes held for verification are dropped: they were never
    /// reported. After a failed fsync it only releases the descriptor.
    /// </summary>
    /// <exception cref="WalReceiverException">An fsync failed (the file is closed anyway).</exception>
    public void Close()
    {
        lock (_lock)
        {
            if (_file is null)
                return;
            if (_failure is not null)
            {
                CloseFile();
                return;
            }

            _held.ResetWrittenCount();
            try
            {
                if (_encoder is { } encoder)
                    encoder.EndFrame();
                else if (RandomAccess.GetLength(_handle!) < _segmentSize.Bytes)
                    RandomAccess.SetLength(_handle!, _segmentSize.Bytes);
                FsyncFile(); // the new length too, and whatever was not flushed yet
                _flushed = _written;
            }
            finally
            {
                CloseFile();
            }

            SyncDirectory();
        }
    }

    /// <summary>Whether a <c>.partial</c> is open.</summary>
    public bool HasOpenSegment
    {
        get
        {
            lock (_lock)
                return _file is not null;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_file is not null)
                CloseFile(); // no fsync: a writer disposed without Close was abandoned
            _hash.Dispose();
            _hasher.Dispose();
            _preallocator?.Dispose();
            _frames.Dispose();
        }
    }
}

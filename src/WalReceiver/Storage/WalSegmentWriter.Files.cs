using System.Diagnostics;
using WalReceiver.Diagnostics;
using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <content>
/// The files themselves: opening a segment's <c>.partial</c>, completing it (fsync, manifest line, rename, directory
/// fsync), closing, and the fsyncs whose failure poisons the writer.
/// </content>
internal sealed partial class WalSegmentWriter
{
    private void OpenSegment()
    {
        var segmentStart = _segmentSize.StartOf(_written);
        var name = WalFileName.Format(Timeline, segmentStart, _segmentSize);
        foreach (var algorithm in CompressedWal.Forms)
        {
            var complete = Path.Combine(_directory, CompressedWal.NameOf(name, algorithm, partial: false));
            if (File.Exists(complete))
                throw new WalReceiverException(FailureKind.ArchiveDamage,
                    $"segment file \"{complete}\" already exists while streaming it again; refusing to overwrite a complete segment. " +
                    "Move it aside if it is damaged, or check that the archive belongs to this server");
        }

        var firstSegment = _partialPath is null; // set here, never cleared
        _partialPath = Path.Combine(_directory, CompressedWal.NameOf(name, _compression.Algorithm, partial: true));
        var created = !File.Exists(_partialPath);
        // The first segment waits for its preallocated file (a start is not latency-critical, and a segment that grows would
        // slow every synchronous flush until it is full); later ones take it only if it is ready, never stalling the stream.
        if (created)
            _preallocator?.TryTake(_partialPath, wait: firstSegment);
        var compressed = _compression.Algorithm != CompressionAlgorithm.None;
        // A leftover plain .partial is reused from offset 0: the bytes we write are the server's bytes for the same
        // positions, so any old tail beyond them is this timeline's own WAL (or the zeros of a clean stop) and never needs
        // truncating. A compressed one cannot be overwritten in place and is started again: the server is sending this
        // segment from its start, so it still has everything the old file held.
        var options = new FileStreamOptions
        {
            Mode = compressed ? FileMode.Create : FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = _modes.File;
        _file = new FileStream(_partialPath, options);
        _handle = _file.SafeFileHandle;
        _writebackFrom = _segmentSize.OffsetIn(_written);
        if (compressed)
            _encoder = new FrameEncoder(_handle, _hash, _compression, _frames);
        else
            _hasher.Begin(_handle);

        if (created)
            SyncDirectory();
    }

    private void CompleteSegment()
    {
        // A reused .partial is longer than its data only when a clean stop padded it to exactly the segment size; a
        // complete file must have exactly the segment's size, as PostgreSQL's restore expects.
        if (_encoder is { } encoder)
            encoder.EndFrame();
        else if (RandomAccess.GetLength(_handle!) > _segmentSize.Bytes)
            RandomAccess.SetLength(_handle!, _segmentSize.Bytes);
        FsyncFile();
        byte[] sha256;
        try
        {
            sha256 = _encoder is null ? _hasher.Complete(_segmentSize.Bytes) : _hash.GetHashAndReset();
        }
        catch (IOException e)
        {
            CloseFile();
            throw _failure = DurabilityFailure.Manifest(_manifest.Path, Path.GetFileName(_partialPath!), e);
        }

        // Complete, fsynced and hashed: nothing here reads it again. Its pages leave the page cache now rather than
        // pushing out the database's, and the next segments reuse them. On this project's benchmark machine (a VM) pages
        // taken fresh from the free lists made the kernel's copy in pwrite twice as slow: system time of a 1 GB catch-up
        // was 1.35-1.90 s without this and 0.79-0.88 s with it, five runs each.
        if (_sync.Syncs)
            Fsync.DropCachedPages(_handle!);
        CloseFile();
        var partial = _partialPath!;
        var complete = partial[..^WalFileName.PartialSuffix.Length];
        // The manifest line is durable before the name that makes the file complete exists (see ArchiveManifest).
        try
        {
            _manifest.Append(Path.GetFileName(complete), sha256);
        }
        catch (IOException e)
        {
            throw _failure = DurabilityFailure.Manifest(_manifest.Path, Path.GetFileName(complete), e);
        }

        File.Move(partial, complete, overwrite: false);
        SyncDirectory();
        _flushed = _written;
        SegmentCompleted?.Invoke(Path.GetFileName(complete));
    }

    private void CloseFile()
    {
        _hasher.Abandon(); // before the descriptor closes: the hasher may be reading through it
        _encoder?.Dispose();
        _encoder = null;
        _file!.Dispose();
        _file = null;
        _handle = null;
        _hash.GetHashAndReset(); // the next file starts a new hash
    }

    private void FsyncFile()
    {
        if (!_sync.Syncs)
            return;
        var started = Stopwatch.GetTimestamp();
        try
        {
            _sync.File(_handle!);
        }
        catch (IOException e)
        {
            throw Fail(_partialPath!, e);
        }

        FsyncObserved?.Invoke(Stopwatch.GetElapsedTime(started));
    }

    private void SyncDirectory()
    {
        try
        {
            _sync.Directory(_directory);
        }
        catch (IOException e)
        {
            throw Fail(_directory, e);
        }
    }

    private WalReceiverException Fail(string path, IOException e) => _failure = DurabilityFailure.Fsync(path, e);

    private void ThrowIfFailed()
    {
        if (_failure is not null)
            throw _failure;
    }
}

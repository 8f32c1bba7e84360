namespace WalReceiver.Storage;

/// <summary>
/// Keeps one zero-filled, fsynced segment-sized file ready in the archive directory, prepared on a thread-pool thread,
/// so a new plain <c>.partial</c> can be a rename of it instead of a file that grows with every write.
/// </summary>
/// <remarks>
/// <para>Why: with <c>--synchronous</c> every flush is a commit's latency. An fsync of a file that grew must also commit
/// the new size and block allocation to the journal; into blocks that were already written it only writes the data (on
/// this project's benchmark machine, 8 kB pwrite+fsync: about 200 µs growing, 125 µs into written blocks).
/// pg_receivewal gets the same by writing the zeros itself when it opens a segment, on the streaming path; here they are
/// written ahead, off it.</para>
/// <para>The file is named <see cref="FileName"/>, a dot file that no archive scan treats as WAL. A crash while it is being
/// written leaves a short or unsynced file under that name only; it is created again (truncated) on the next start, and
/// never renamed before its fsync returned, so a <c>.partial</c> made from it holds zeros past the streamed bytes, as
/// pg_receivewal's own padded files do.</para>
/// <para>Preparation failures (a full disk) only mean the next segment is created empty and grows: the writes themselves
/// then meet the same error and report it. A failed preparation deletes its file, so it never holds space the stream
/// needs.</para>
/// </remarks>
internal sealed class SegmentPreallocator : IDisposable
{
    /// <summary>The name of the prepared file inside the archive directory.</summary>
    public const string FileName = ".walreceiver-preallocated";

    private const int ChunkBytes = 128 * 1024;

    private readonly string _path;
    private readonly int _segmentBytes;
    private readonly ArchiveFileModes _modes;
    private readonly FileSync _sync;
    private Task<bool>? _preparing;
    private bool _disposed;

    /// <summary>Creates a preallocator for <paramref name="directory"/>; nothing is written before <see cref="Prepare"/>.</summary>
    public SegmentPreallocator(string directory, int segmentBytes, ArchiveFileModes modes, FileSync sync)
    {
        _path = Path.Combine(directory, FileName);
        _segmentBytes = segmentBytes;
        _modes = modes;
        _sync = sync;
    }

    /// <summary>Starts preparing the file unless that is already under way or done.</summary>
    public void Prepare()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _preparing ??= Task.Run(Fill);
    }

    /// <summary>
    /// When a prepared file is ready, renames it to <paramref name="destination"/> (which must not exist; the caller fsyncs
    /// the directory) and starts preparing the next one; otherwise (still being written and <paramref name="wait"/> is
    /// false, or its preparation failed, which the next call tries again) returns false, and the caller creates the file
    /// itself.
    /// </summary>
    public bool TryTake(string destination, bool wait)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Prepare();
        var preparing = _preparing!;
        if (!preparing.IsCompleted && !wait)
            return false;

        _preparing = null;
        if (!preparing.GetAwaiter().GetResult()) // Fill reports failures as false, never throws
            return false; // tried again at the next segment, not at once: the disk may have filled up
        File.Move(_path, destination, overwrite: false);
        Prepare();
        return true;
    }

    /// <summary>Waits for a preparation under way and removes the prepared file: it is cheap to make again.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _preparing?.Wait();
        _preparing = null;
        Delete();
    }

    private bool Fill()
    {
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, BufferSize = 0 };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = _modes.File;
            using var file = new FileStream(_path, options);
            var handle = file.SafeFileHandle;
            var zeros = new byte[ChunkBytes];
            for (long offset = 0; offset < _segmentBytes; offset += zeros.Length)
                RandomAccess.Write(handle, zeros.AsSpan(0, (int)Math.Min(zeros.Length, _segmentBytes - offset)), offset);
            _sync.File(handle);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Most likely a full disk: give back what was written, the stream needs it more.
            Delete();
            return false;
        }
    }

    private void Delete()
    {
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // Left behind: harmless (a dot file), and truncated by the next preparation.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

using System.Diagnostics;
using Microsoft.Win32.SafeHandles;
using WalReceiver.Diagnostics;
using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// Writes streamed WAL into segment files that are byte for byte the server's own: <c>NAME.partial</c> while the
/// segment is in progress; when it is full, fsync the file, rename it to <c>NAME</c>, fsync the directory.
/// </summary>
/// <remarks>
/// Not thread-safe by itself: the streaming loop and the idle flusher share it under <see cref="SyncRoot"/>.
/// Every write must start at the next expected byte (PostgreSQL's <c>receivelog.c</c> checks the same), and the first
/// write of a segment must start at its offset 0, so every file is written from its beginning.
/// No zero pre-padding: it would cost a full segment write per segment and bring nothing a restore needs.
/// </remarks>
internal sealed class WalSegmentWriter : IDisposable
{
    private readonly string _directory;
    private readonly WalSegmentSize _segmentSize;
    private readonly ArchiveFileModes _modes;
    private readonly bool _sync;
    private FileStream? _file;

    // The stream only creates the file (with its Unix mode) and owns the descriptor. FileStream.SafeFileHandle seeks
    // to the stream's position on every get (an lseek per write), so all I/O goes through this handle, taken once.
    private SafeFileHandle? _handle;
    private string? _partialPath;
    private Lsn _segmentStart;
    private Lsn _flushedUpTo;

    /// <summary>Creates a writer for one timeline, starting at <paramref name="start"/> (a segment start).</summary>
    public WalSegmentWriter(string directory, WalSegmentSize segmentSize, uint timeline, Lsn start, ArchiveFileModes modes, bool sync)
    {
        if (!segmentSize.IsSegmentStart(start))
            throw new ArgumentException($"streaming must start at a segment start, not {start}", nameof(start));
        _directory = directory;
        _segmentSize = segmentSize;
        Timeline = timeline;
        _modes = modes;
        _sync = sync;
        WrittenUpTo = start;
        _flushedUpTo = start;
    }

    /// <summary>Lock shared by the streaming loop and the idle flusher.</summary>
    public Lock SyncRoot { get; } = new();

    /// <summary>The timeline whose files this writer names.</summary>
    public uint Timeline { get; }

    /// <summary>The end of the last byte written (handed to the OS, maybe not on disk).</summary>
    public Lsn WrittenUpTo { get; private set; }

    /// <summary>The end of the last byte known to be on disk: only advanced after an fsync returned (or with <c>--no-sync</c>).</summary>
    public Lsn FlushedUpTo => _flushedUpTo;

    /// <summary>Whether bytes were written since the last flush.</summary>
    public bool HasUnflushed => WrittenUpTo > _flushedUpTo;

    /// <summary>Whether a <c>.partial</c> is open.</summary>
    public bool HasOpenSegment => _file is not null;

    /// <summary>The name (without suffix) of the segment being written, or of the next one.</summary>
    public string CurrentFileName => WalFileName.Format(Timeline, WrittenUpTo, _segmentSize);

    /// <summary>Called with the duration of every fsync of a WAL file (for the fsync histogram).</summary>
    public Action<TimeSpan>? FsyncObserved { get; set; }

    /// <summary>Raised after a segment is complete and renamed; the argument is the file name.</summary>
    public event Action<string>? SegmentCompleted;

    /// <summary>Writes WAL bytes that begin at <paramref name="start"/>, splitting at segment ends.</summary>
    public void Write(Lsn start, ReadOnlySpan<byte> data)
    {
        if (start != WrittenUpTo)
            throw new WalReceiverException(FailureKind.Transient,
                $"received WAL starting at {start}, but expected {WrittenUpTo}: the stream skipped or repeated bytes; reconnecting");
        while (!data.IsEmpty)
        {
            var offset = _segmentSize.OffsetIn(WrittenUpTo);
            if (_file is null)
                OpenSegment();
            var n = Math.Min(data.Length, _segmentSize.Bytes - offset);
            RandomAccess.Write(_handle!, data[..n], offset);
            data = data[n..];
            WrittenUpTo += (ulong)n;
            if (_segmentSize.IsSegmentStart(WrittenUpTo))
                CompleteSegment();
        }
    }

    /// <summary>fsyncs what was written so far; afterwards <see cref="FlushedUpTo"/> equals <see cref="WrittenUpTo"/>.</summary>
    public void Flush()
    {
        if (!HasUnflushed)
            return;
        if (_handle is not null && _sync)
            FsyncFile();
        _flushedUpTo = WrittenUpTo;
    }

    /// <summary>Flushes and closes the current <c>.partial</c> without renaming it (the segment is not complete).</summary>
    public void Close()
    {
        if (_file is null)
            return;
        Flush();
        CloseFile();
        if (_sync)
            Fsync.DirectoryEntries(_directory);
    }

    /// <inheritdoc/>
    public void Dispose() => Close();

    private void OpenSegment()
    {
        _segmentStart = _segmentSize.StartOf(WrittenUpTo);
        var name = WalFileName.Format(Timeline, _segmentStart, _segmentSize);
        var complete = Path.Combine(_directory, name);
        if (File.Exists(complete))
            throw new WalReceiverException(FailureKind.ArchiveDamage,
                $"segment file \"{complete}\" already exists while streaming it again; refusing to overwrite a complete segment. " +
                "Move it aside if it is damaged, or check that the archive belongs to this server");
        _partialPath = complete + WalFileName.PartialSuffix;
        var created = !File.Exists(_partialPath);
        // A leftover .partial from a crash is reused from offset 0: the bytes we write are the server's bytes for the
        // same positions, so any old tail beyond them is this timeline's own WAL and never needs truncating.
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = _modes.File;
        _file = new FileStream(_partialPath, options);
        _handle = _file.SafeFileHandle;
        if (created && _sync)
            Fsync.DirectoryEntries(_directory);
    }

    private void CompleteSegment()
    {
        TrimTo(_handle!, _segmentSize.Bytes);
        if (_sync)
            FsyncFile();
        CloseFile();
        var partial = _partialPath!;
        var complete = partial[..^WalFileName.PartialSuffix.Length];
        File.Move(partial, complete, overwrite: false);
        if (_sync)
            Fsync.DirectoryEntries(_directory);
        _flushedUpTo = WrittenUpTo;
        SegmentCompleted?.Invoke(Path.GetFileName(complete));
    }

    private void CloseFile()
    {
        _file!.Dispose();
        _file = null;
        _handle = null;
    }

    private void FsyncFile()
    {
        var started = Stopwatch.GetTimestamp();
        RandomAccess.FlushToDisk(_handle!);
        FsyncObserved?.Invoke(Stopwatch.GetElapsedTime(started));
    }

    // A reused .partial could be longer than a segment only if something else wrote to it; a complete file must
    // have exactly the segment's size, as PostgreSQL's restore expects.
    private static void TrimTo(SafeFileHandle handle, long length)
    {
        if (RandomAccess.GetLength(handle) > length)
            RandomAccess.SetLength(handle, length);
    }
}

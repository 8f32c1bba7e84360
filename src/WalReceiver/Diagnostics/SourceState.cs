using WalReceiver.Wal;

namespace WalReceiver.Diagnostics;

/// <summary>
/// The live state of one source, written by its streaming loop and read by metrics and health from other threads.
/// LSNs are kept as longs for <see cref="Interlocked"/> reads, as Npgsql does for its own positions.
/// </summary>
internal sealed class SourceState(string name, TimeProvider time)
{
    private long _flushed;
    private long _serverEnd;
    private long _caughtUpTicks;
    private long _uploadBacklogFiles = -1;
    private long _uploadBacklogBytes = -1;
    private volatile SourceStatus _status = SourceStatus.Starting;
    private volatile string? _lastError;

    /// <summary>
    /// Raised on the streaming loop's thread after the flushed position or the status changed, for whoever waits on them
    /// (the library's <c>WaitForFlushAsync</c>); handlers must be quick and must not throw.
    /// </summary>
    public event Action? Changed;

    /// <summary>The source's name (the metrics' <c>walreceiver.source</c> tag).</summary>
    public string Name { get; } = name;

    /// <summary>What the source is doing.</summary>
    public SourceStatus Status => _status;

    /// <summary>The last failure's message, if any.</summary>
    public string? LastError => _lastError;

    /// <summary>The end of what is on the archive's disk.</summary>
    public Lsn Flushed => new((ulong)Interlocked.Read(ref _flushed));

    /// <summary>The server's end of WAL as last reported to us (0 before the first message).</summary>
    public Lsn ServerEnd => new((ulong)Interlocked.Read(ref _serverEnd));

    /// <summary>Bytes the server has that the archive has not flushed yet; null before the server told us its end.</summary>
    public long? LagBytes => ServerEnd.IsValid && Flushed.IsValid ? Math.Max(0, Lsn.Diff(ServerEnd, Flushed)) : null;

    /// <summary>
    /// How old the newest WAL is that the server has and the archive has not flushed: 0 while caught up, else the seconds
    /// since the archive last held everything the server had. Null before streaming started.
    /// </summary>
    public double? FlushAgeSeconds
    {
        get
        {
            var ticks = Interlocked.Read(ref _caughtUpTicks);
            if (ticks == 0)
                return null;
            return LagBytes is null or 0 ? 0 : time.GetElapsedTime(ticks).TotalSeconds;
        }
    }

    /// <summary>The slot's <c>wal_status</c> (reserved, extended, unreserved, lost) as last polled, or null.</summary>
    public string? SlotWalStatus { get; private set; }

    /// <summary>Bytes of WAL the server keeps for the slot (its end minus the slot's <c>restart_lsn</c>), or null.</summary>
    public long? SlotRetainedBytes { get; private set; }

    /// <summary>Completed files not yet in the bucket (waiting, being uploaded, or refused); null without a bucket target.</summary>
    public long? UploadBacklogFiles => Volatile.Read(ref _uploadBacklogFiles) is var n && n >= 0 ? n : null;

    /// <summary>The bytes of <see cref="UploadBacklogFiles"/>; null without a bucket target.</summary>
    public long? UploadBacklogBytes => Interlocked.Read(ref _uploadBacklogBytes) is var n && n >= 0 ? n : null;

    /// <summary>Records the upload backlog.</summary>
    public void SetUploadBacklog(long files, long bytes)
    {
        Interlocked.Exchange(ref _uploadBacklogBytes, bytes);
        Volatile.Write(ref _uploadBacklogFiles, files);
    }

    /// <summary>Records what <c>pg_replication_slots</c> said of our slot (nulls when it could not be read).</summary>
    public void SetSlot(string? walStatus, long? retainedBytes)
    {
        SlotWalStatus = walStatus;
        SlotRetainedBytes = retainedBytes;
    }

    /// <summary>Records a new status; a failure keeps its message (its first line: health answers are one line each).</summary>
    public void SetStatus(SourceStatus status, string? error = null)
    {
        _status = status;
        if (error is not null)
            _lastError = FirstLine(error);
        if (status == SourceStatus.Streaming)
            Interlocked.CompareExchange(ref _caughtUpTicks, time.GetTimestamp(), 0);
        Changed?.Invoke();
    }

    /// <summary>Records the flushed position; returns how many bytes it advanced.</summary>
    public long Flush(Lsn flushed)
    {
        var previous = Interlocked.Exchange(ref _flushed, (long)flushed.Value);
        NoteIfCaughtUp();
        Changed?.Invoke();
        return previous == 0 ? 0 : Math.Max(0, (long)flushed.Value - previous);
    }

    /// <summary>Records the server's end of WAL.</summary>
    public void SetServerEnd(Lsn end)
    {
        Interlocked.Exchange(ref _serverEnd, (long)end.Value);
        NoteIfCaughtUp();
    }

    private static string FirstLine(string text)
    {
        var trimmed = text.Trim();
        var end = trimmed.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? trimmed : trimmed[..end];
    }

    private void NoteIfCaughtUp()
    {
        if (LagBytes is null or 0)
            Interlocked.Exchange(ref _caughtUpTicks, time.GetTimestamp());
    }
}

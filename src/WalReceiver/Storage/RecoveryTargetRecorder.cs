using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// Keeps an archive's recovery target indexes while streaming: the stream's bytes go through a
/// <see cref="RecoveryTargetScanner"/>, and each segment, once completed, gets its index file.
/// </summary>
/// <remarks>
/// A stream starts at a segment start, often inside a record begun in the segment before. So that the first segment's
/// index does not lack that record (it may be a commit), the scanner starts one segment earlier and is first fed the
/// archive's own copy of that segment, when the archive has it complete. An index that cannot be made whole, or written,
/// is left out: <c>verify</c> makes it later from the WAL, and <c>pitr</c> reads a segment without one from the WAL.
/// </remarks>
internal sealed class RecoveryTargetRecorder
{
    private readonly RecoveryTargetIndexStore _store;
    private readonly RecoveryTargetScanner _scanner;
    private readonly WalSegmentSize _size;
    private readonly uint _timeline;

    private RecoveryTargetRecorder(RecoveryTargetIndexStore store, RecoveryTargetScanner scanner, WalSegmentSize size, uint timeline)
    {
        _store = store;
        _scanner = scanner;
        _size = size;
        _timeline = timeline;
    }

    /// <summary>The next LSN the recorder expects.</summary>
    public Lsn Position => _scanner.Position;

    /// <summary>
    /// Starts recording for a stream that begins at <paramref name="start"/> on <paramref name="timeline"/>; null when the
    /// server's WAL record format is not one the decoder knows.
    /// </summary>
    public static RecoveryTargetRecorder? Start(string directory, WalSegmentSize size, ushort pageMagic, uint timeline, Lsn start,
        ArchiveFileModes modes, FileSync sync)
    {
        if (WalRecordFormat.ForPageMagic(pageMagic) is not { } format)
            return null;
        var store = new RecoveryTargetIndexStore(directory, modes, sync);
        var number = size.SegmentOf(start);
        if (number > 0 && ScanPrevious(directory, size, format, timeline, number - 1) is { } scanner && scanner.Position == start && !scanner.IsStopped)
            return new RecoveryTargetRecorder(store, scanner, size, timeline);

        return new RecoveryTargetRecorder(store, new RecoveryTargetScanner(size, format, start), size, timeline);
    }

    /// <summary>Scans the stream's next bytes, which start at <see cref="Position"/>.</summary>
    /// <exception cref="FormatException">A commit, abort or restore point record cannot be decoded; the scanner has stopped.</exception>
    public void Append(Lsn at, ReadOnlySpan<byte> data) => _scanner.Append(at, data);

    /// <summary>
    /// Writes the index of the completed segment <paramref name="segment"/>; returns why it was not written, or null.
    /// </summary>
    /// <exception cref="IOException">The index file could not be written.</exception>
    public string? SegmentCompleted(ulong segment)
    {
        if (!_scanner.TryTakeEvents(segment, out var events, out var incomplete))
            return incomplete;
        _store.Write(new RecoveryTargetIndex(_timeline, _size.StartOfSegment(segment), _size, events));
        return null;
    }

    // A scanner fed the archive's complete copy of the segment before the stream (of this timeline or the newest older
    // one), read in pieces: only the record crossing into the stream's first segment matters, and a segment can be 1 GB.
    private static RecoveryTargetScanner? ScanPrevious(string directory, WalSegmentSize size, WalRecordFormat format, uint timeline, ulong segment)
    {
        for (var tli = timeline; tli >= TimelineId.First; tli--)
        {
            if (CompressedWal.FindStored(directory, WalFileName.Format(tli, segment, size), orPartial: false) is not { } file)
                continue;
            try
            {
                var start = size.StartOfSegment(segment);
                var scanner = new RecoveryTargetScanner(size, format, start);
                using var stream = CompressedWal.OpenRead(file.Path, file.Algorithm);
                var buffer = new byte[1 << 16];
                int read;
                while ((read = stream.Read(buffer)) > 0 && scanner.Position.Value + (ulong)read <= start.Value + (ulong)size.Bytes)
                    scanner.Append(scanner.Position, buffer.AsSpan(0, read));
                return read == 0 ? scanner : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException || CompressedWal.IsDamage(e))
            {
                // That copy cannot be read for events: the stream's first index is left to verify.
                return null;
            }
        }

        return null;
    }
}

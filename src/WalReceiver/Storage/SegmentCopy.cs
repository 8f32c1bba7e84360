using WalReceiver.Diagnostics;
using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// Copies one stored archive file into an open destination, checking on the way that a segment is what its name says:
/// a long page header for that segment's position, and exactly the segment size the header gives, after decompression.
/// </summary>
/// <remarks>
/// A <c>.partial</c> may end early, even inside a compressed frame: the receiver reports WAL as flushed only at the end
/// of a frame, so what a crash cut off was never acknowledged, and the decodable prefix is all there is. A complete file
/// that ends early, decodes to another size or fails to decode is damaged; serving it would make recovery replay garbage
/// or stop short without anyone noticing.
/// </remarks>
internal sealed class SegmentCopy(StoredFile source, string fileName, Stream input, FileStream output, string temporary,
    CancellationToken cancellationToken)
{
    private const int BufferSize = 1 << 20;

    private readonly byte[] _buffer = new byte[BufferSize];
    private bool _ended;

    /// <summary>Copies a segment; returns its size, or null for a <c>.partial</c> that holds no WAL yet.</summary>
    public long? Segment()
    {
        var n = Read(WalPageHeader.LongSize);
        var first = _buffer.AsSpan(0, n);
        if (!WalPageHeader.TryReadLong(first, out var header))
        {
            // A .partial the receiver created but had not written a page header into yet holds nothing to replay.
            if (source.IsPartial && (n < WalPageHeader.LongSize || first.IndexOfAnyExcept((byte)0) < 0))
                return null;
            throw Damaged(source, n < WalPageHeader.LongSize
                ? $"it holds {n} bytes, less than a WAL page header"
                : "it does not start with the long page header of a WAL segment");
        }

        if (!WalSegmentSize.IsValid(header.SegmentSize))
            throw Damaged(source, $"its page header gives a segment size of {header.SegmentSize} bytes, which PostgreSQL never uses");
        var size = new WalSegmentSize((int)header.SegmentSize);
        if (!WalFileName.TryParse(fileName, size, out _, out var segment) || header.PageAddress != size.StartOfSegment(segment))
            throw Damaged(source, $"its first page holds WAL position {header.PageAddress}, which is not the start of segment {fileName}");

        long total = 0;
        while (n > 0)
        {
            if (total + n > size.Bytes)
                throw Damaged(source, $"it holds more than the segment size of {size.Bytes} bytes{Decompressed}");
            WriteBuffer(n);
            total += n;
            n = Read(1);
        }

        if (total != size.Bytes)
        {
            if (!source.IsPartial)
                throw Damaged(source, $"it holds {total} bytes{Decompressed}, not the segment size of {size.Bytes} bytes");
            // Zeros after the last record end replay there, as in a segment the server had not filled yet.
            ArchiveRestore.Write(temporary, "extend", () => output.SetLength(size.Bytes));
        }

        return size.Bytes;
    }

    /// <summary>Copies a history file whole (decompressed); returns its length.</summary>
    public long? Whole()
    {
        long total = 0;
        for (var n = Read(1); n > 0; n = Read(1))
        {
            WriteBuffer(n);
            total += n;
        }

        return total;
    }

    /// <summary>The error for a file that does not hold what its name promises.</summary>
    public static WalReceiverException Damaged(StoredFile source, string why, Exception? inner = null) =>
        new(FailureKind.ArchiveDamage,
            $"archive file \"{source.Path}\" is damaged: {why}. Recovery must not go on past it: restore the file from another " +
            "copy of the archive, or move it away to end recovery before it", inner);

    private string Decompressed => source.Algorithm == CompressionAlgorithm.None ? "" : " when decompressed";

    /// <summary>Reads into the buffer until at least <paramref name="minimum"/> bytes or the end; 0 at the end.</summary>
    private int Read(int minimum)
    {
        var count = 0;
        while (count < minimum && !_ended)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n;
            try
            {
                n = input.Read(_buffer, count, _buffer.Length - count);
            }
            catch (EndOfStreamException e)
            {
                // The decoders return everything before a cut frame, then throw: a .partial ends there.
                if (!source.IsPartial)
                    throw Damaged(source, $"it ends inside a compressed frame (a truncated file: {e.Message.TrimEnd('.')})", e);
                n = 0;
            }
            catch (Exception e) when (CompressedWal.IsDamage(e))
            {
                throw Damaged(source, $"it cannot be decompressed ({e.Message.TrimEnd('.')})", e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new WalReceiverException(FailureKind.Transient, $"could not read \"{source.Path}\": {e.Message.TrimEnd('.')}", e);
            }

            if (n == 0)
                _ended = true;
            count += n;
        }

        return count;
    }

    private void WriteBuffer(int count) => ArchiveRestore.Write(temporary, "write", () => output.Write(_buffer, 0, count));
}

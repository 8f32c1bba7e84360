using K4os.Compression.LZ4.Streams;

namespace WalReceiver.Storage;

/// <summary>
/// Reads every LZ4 frame of a <c>.lz4</c> file, one after the other, as <c>lz4 -d</c> does; owns the compressed stream.
/// </summary>
/// <remarks>
/// K4os' decoder (1.3.8) goes on to the next frame only when a read ends inside the frame before: when a read stops
/// exactly at the end of a frame's last block, the next read meets the end mark and returns 0, as if the file ended
/// there. That happens whenever a frame's content is a multiple of its 64 KiB block size, as every frame ended at
/// <see cref="FrameEncoder.MaxFrameInput"/> is, so restore would see a segment cut after its first frame. Here a 0 from a
/// decoder only ends the file when a new decoder, started where the last one stopped, finds no frame at all.
/// </remarks>
internal sealed class Lz4FramesReadStream(Stream compressed) : ForwardReadStream
{
    private Stream? _decoder;
    private bool _ended;

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
            return 0;
        while (!_ended)
        {
            var fresh = _decoder is null;
            // The decoder reads the compressed stream exactly as far as the end mark of the frame it returned 0 at.
            _decoder ??= LZ4Stream.Decode(compressed, 0, leaveOpen: true);
            var n = _decoder.Read(buffer);
            if (n > 0)
                return n;
            _decoder.Dispose();
            _decoder = null;
            _ended = fresh; // a new decoder that found no frame: the end of the file
        }

        return 0;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _decoder?.Dispose();
            compressed.Dispose();
        }

        base.Dispose(disposing);
    }
}

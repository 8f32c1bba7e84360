using System.IO.Compression;
using System.Security.Cryptography;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using Microsoft.Win32.SafeHandles;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace WalReceiver.Storage;

/// <summary>
/// Compresses one segment file as a sequence of self-contained gzip members, LZ4 frames or Zstandard frames. A frame is
/// collected in memory and written to the file with one write only once it is complete, so a stop, a failure or a crash
/// of the machine after its fsync leaves whole frames only. A SIGKILL can still cut the frame being written (Linux ends a
/// write to a regular file between pages when a fatal signal is pending): every frame before it, so everything reported
/// flushed, stays whole, the tools decode those frames before they report the truncation, and our readers serve them.
/// </summary>
/// <remarks>
/// A frame ends at every flush (so an fsync covers complete frames only) and after <see cref="MaxFrameInput"/> bytes of
/// WAL (so the memory a frame needs stays small). pg_receivewal instead ends gzip data with a sync flush and writes the
/// trailer only when the segment is done, which leaves files the tools reject as truncated after a crash. A frame costs
/// a few bytes of header and starts with an empty dictionary: at 1 MiB of input that is noise.
/// </remarks>
/// <param name="file">The segment file, written from offset 0.</param>
/// <param name="hash">Takes every byte written to the file.</param>
/// <param name="compression">The algorithm and level.</param>
/// <param name="sink">Where a frame collects; the writer passes the same one for every file, so its memory is reused.</param>
internal sealed class FrameEncoder(SafeFileHandle file, IncrementalHash hash, CompressionSpecification compression, FrameSink sink) : IDisposable
{
    /// <summary>WAL bytes after which a frame is ended even without a flush.</summary>
    public const int MaxFrameInput = 1 << 20;

    private readonly FrameSink _sink = sink;
    private Stream? _frame;
    private int _frameInput;
    private long _fileLength;

    /// <summary>Compresses <paramref name="data"/>, writing each frame to the file as it completes.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var n = Math.Min(data.Length, MaxFrameInput - _frameInput);
            (_frame ??= Open()).Write(data[..n]);
            _frameInput += n;
            data = data[n..];
            if (_frameInput == MaxFrameInput)
                EndFrame();
        }
    }

    /// <summary>Ends the open frame (if any) and writes it: afterwards every byte given is in the file (not yet fsynced).</summary>
    public void EndFrame()
    {
        if (_frame is null)
            return;
        _frame.Dispose(); // the member trailer / frame end mark goes into the sink
        _frame = null;
        _frameInput = 0;
        var bytes = _sink.Collected;
        RandomAccess.Write(file, bytes, _fileLength);
        hash.AppendData(bytes);
        _fileLength += bytes.Length;
        _sink.Clear();
    }

    /// <summary>Abandons the open frame without writing it (the file is being given up, or closed after a failure).</summary>
    public void Dispose()
    {
        _frame?.Dispose();
        _frame = null;
        _sink.Clear();
    }

    // Every frame carries a checksum of its content (gzip always has its CRC-32; LZ4 and Zstandard only when asked), so
    // a decoder finds a flipped bit inside a frame, not only a broken frame structure: restore and verify rely on it.
    private Stream Open()
    {
        switch (compression.Algorithm)
        {
            case CompressionAlgorithm.Gzip:
                return new GZipStream(_sink, new ZLibCompressionOptions { CompressionLevel = compression.Level }, leaveOpen: true);
            case CompressionAlgorithm.Lz4:
                return LZ4Stream.Encode(_sink, new LZ4EncoderSettings { CompressionLevel = Lz4Level(compression.Level), ContentChecksum = true }, leaveOpen: true);
            case CompressionAlgorithm.Zstd:
                var zstd = new CompressionStream(_sink, compression.Level, leaveOpen: true);
                zstd.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
                return zstd;
            default:
                throw new InvalidOperationException("plain segments are not encoded");
        }
    }

    // pg_receivewal's lz4 levels: 0 (the default) and 1-2 are the fast mode, 3-12 high compression, as in liblz4's frame API.
    private static LZ4Level Lz4Level(int level) => level < 3 ? LZ4Level.L00_FAST : (LZ4Level)level;
}

using System.Buffers;

namespace WalReceiver.Storage;

/// <summary>
/// Where a compressor's output collects until its frame is complete: in memory, so the segment file only ever receives
/// whole frames. Write-only and forward-only, which is all the encoders need.
/// </summary>
internal sealed class FrameSink : Stream
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 16);

    /// <summary>The compressed bytes collected since the last <see cref="Clear"/>.</summary>
    public ReadOnlySpan<byte> Collected => _buffer.WrittenSpan;

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override long Length => _buffer.WrittenCount;

    /// <inheritdoc/>
    public override long Position
    {
        get => _buffer.WrittenCount;
        set => throw new NotSupportedException();
    }

    /// <summary>Forgets what was collected (after it was written to the file); keeps the memory for the next frame.</summary>
    public void Clear() => _buffer.ResetWrittenCount();

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer) => _buffer.Write(buffer);

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => _buffer.Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void WriteByte(byte value) => _buffer.Write([value]);

    /// <inheritdoc/>
    public override void Flush()
    {
        // Nothing to do: the encoder's owner writes the collected frame to the file.
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();
}

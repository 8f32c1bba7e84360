using System.Buffers.Binary;
using System.IO.Compression;
using K4os.Compression.LZ4.Streams;
using WalReceiver.Storage;
using WalReceiver.Wal;
using ZstdSharp;

namespace WalReceiver.Tests.Storage;

/// <summary>Segment files for restore tests: a real long page header, then bytes that differ everywhere; and compressed forms of them.</summary>
internal static class TestSegments
{
    public static readonly WalSegmentSize Size = new(WalSegmentSize.MinBytes);

    /// <summary>The bytes of segment <paramref name="name"/> (1 MB): a long page header for its start, then a pattern.</summary>
    public static byte[] Segment(string name, int? length = null)
    {
        Assert.True(WalFileName.TryParse(name, Size, out var timeline, out var segment));
        var bytes = new byte[length ?? Size.Bytes];
        // Seeded from the name's numbers, not string.GetHashCode (which differs in every process), so a failure repeats.
        var random = new Random(unchecked((int)(segment * 31 + timeline)));
        random.NextBytes(bytes.AsSpan(WalPageHeader.LongSize));
        // Some runs of one value, so that compression has something to do.
        for (var i = WalPageHeader.LongSize; i < bytes.Length; i += 4096)
            bytes.AsSpan(i, Math.Min(1024, bytes.Length - i)).Fill(0x5A);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, 0xD110);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), WalPageHeader.LongHeader);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), timeline);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), Size.StartOfSegment(segment).Value);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), 0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(24), 7_000_000_000_000_000_001UL);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(32), (uint)Size.Bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(36), 8192);
        return bytes;
    }

    /// <summary>
    /// <paramref name="content"/> compressed as the archiver writes it: one gzip member, LZ4 frame or Zstandard frame per
    /// flush, concatenated (here <paramref name="frames"/> of them).
    /// </summary>
    public static byte[] Compress(byte[] content, CompressionAlgorithm algorithm, int frames = 3)
    {
        if (algorithm == CompressionAlgorithm.None)
            return content;
        using var output = new MemoryStream();
        var step = (content.Length + frames - 1) / frames;
        for (var offset = 0; offset < content.Length; offset += step)
        {
            using (var encoder = Encoder(output, algorithm))
                encoder.Write(content, offset, Math.Min(step, content.Length - offset));
        }

        return output.ToArray();
    }

    /// <summary>The compressed length of the first <paramref name="frames"/> frames of <see cref="Compress"/>'s output.</summary>
    public static int FramesLength(byte[] content, CompressionAlgorithm algorithm, int frames, int of)
    {
        var step = (content.Length + of - 1) / of;
        return Compress(content.AsSpan(0, Math.Min(content.Length, step * frames)).ToArray(), algorithm, frames).Length;
    }

    private static Stream Encoder(Stream output, CompressionAlgorithm algorithm) => algorithm switch
    {
        CompressionAlgorithm.Gzip => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
        CompressionAlgorithm.Lz4 => LZ4Stream.Encode(output, leaveOpen: true),
        CompressionAlgorithm.Zstd => new CompressionStream(output, 3, leaveOpen: true),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };
}

using K4os.Compression.LZ4.Streams;
using WalReceiver.Storage;

namespace WalReceiver.Tests.Storage;

public sealed class CompressedWalTests
{
    /// <summary>
    /// K4os' own decoder stops after a frame whose content fills its last 64 KiB block when the next frame follows; the
    /// archive's frames ended at MaxFrameInput (1 MiB) are all like that.
    /// </summary>
    [Theory]
    [InlineData(100_000)]
    [InlineData(65_536)]
    [InlineData(131_072)]
    [InlineData(1 << 20)]
    [InlineData((1 << 20) + 1)]
    public void Lz4_frames_are_read_to_the_last_whatever_their_sizes(int first)
    {
        var content = new byte[first + 5000 + 70_000];
        new Random(first).NextBytes(content);
        using var compressed = new MemoryStream();
        foreach (var (offset, length) in (ReadOnlySpan<(int, int)>)[(0, first), (first, 5000), (first + 5000, 70_000)])
        {
            using var encoder = LZ4Stream.Encode(compressed, leaveOpen: true);
            encoder.Write(content, offset, length);
        }

        compressed.Position = 0;
        using var stream = CompressedWal.Decompress(compressed, CompressionAlgorithm.Lz4);
        using var output = new MemoryStream();
        stream.CopyTo(output);

        Assert.Equal(content, output.ToArray());
    }
}

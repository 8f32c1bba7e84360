using System.Security.Cryptography;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Storage;

/// <summary>
/// Compressed segments: a frame (gzip member, LZ4 frame, Zstandard frame) ends at every flush, after
/// <see cref="FrameEncoder.MaxFrameInput"/> bytes of WAL, at the segment end and at the close, and the file only ever
/// receives whole frames; completed files are recorded in the SHA-256 manifest as stored.
/// </summary>
public sealed class WalSegmentWriterCompressionTests
{
    // 2 MB segments, so that a frame can reach MaxFrameInput (1 MiB) inside a segment.
    private static readonly WalSegmentSize TwoMb = new(2 << 20);
    private static readonly Lsn Start = Lsn.Parse("0/200000");

    /// <summary>
    /// Where each file's frames end, in WAL bytes from the segment start, for the writes and flushes of
    /// <see cref="Frames_end_at_flushes_the_frame_input_limit_segment_ends_and_close"/>.
    /// </summary>
    private static readonly int[][] FrameEnds =
    [
        [100_000, 400_000, 400_000 + FrameEncoder.MaxFrameInput, 1_600_000, 2 << 20],
        [2_200_000 - (2 << 20), 2_200_000 - (2 << 20) + FrameEncoder.MaxFrameInput, 2 << 20],
        [4_200_000 - (4 << 20), (5 << 20) - (4 << 20)],
    ];

    [Theory]
    [InlineData("gzip")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public void Frames_end_at_flushes_the_frame_input_limit_segment_ends_and_close(string compression)
    {
        using var dir = new TempDirectory();
        var specification = CompressionSpecification.Parse(compression);
        var wal = Wal(TwoMb.Bytes * 5 / 2, 1);
        var names = Enumerable.Range(0, 3).Select(i => Name(i, specification)).ToArray();
        // Every length each file had after each call: a length only changes when whole frames were written.
        var lengths = names.Select(_ => new SortedSet<long>()).ToArray();
        var position = 0;
        using (var w = new WalSegmentWriter(dir.Path, TwoMb, 1, Start, ArchiveFileModes.OwnerOnly, FileSync.None, specification))
        {
            void Write(int count, int times = 1)
            {
                for (var i = 0; i < times; i++)
                {
                    w.Write(Start + (ulong)position, wal.AsSpan(position, count));
                    position += count;
                    Observe(dir, names, lengths);
                }
            }

            void Flush()
            {
                w.Flush();
                Observe(dir, names, lengths);
            }

            Write(100_000);
            Flush();
            Write(100_000, times: 3);
            Flush();
            Write(150_000, times: 8); // 1.2 MB without a flush: the frame ends at MaxFrameInput
            Flush();
            Write(600_000); // across the segment end
            Flush();
            Write(200_000, times: 10); // MaxFrameInput, then the segment end, then into the third segment
            Flush();
            Write(100_000, times: 10);
            Write(wal.Length - position);
            Assert.Equal(0, lengths[2].Count(l => l > lengths[2].Min)); // nothing written since the flush but whole frames
            w.Close();
            Observe(dir, names, lengths);
        }

        for (var i = 0; i < 3; i++)
        {
            var path = dir.File(names[i] + (i < 2 ? "" : WalFileName.PartialSuffix));
            var stored = File.ReadAllBytes(path);
            var segment = wal.AsSpan(i * TwoMb.Bytes, Math.Min(TwoMb.Bytes, wal.Length - (i * TwoMb.Bytes))).ToArray();
            Assert.Equal(segment, Decompress(stored, specification.Algorithm));
            Assert.Equal(FrameEnds[i].Length, lengths[i].Count);
            var frameStart = 0L;
            foreach (var (frameEnd, walEnd) in lengths[i].Zip(FrameEnds[i]))
            {
                // Each frame starts with its format's magic, and the file cut after it holds exactly the WAL up to its end.
                Assert.True(stored.AsSpan((int)frameStart).StartsWith(Magic(specification.Algorithm)), $"{names[i]}: no frame starts at {frameStart}");
                Assert.Equal(segment.AsSpan(0, walEnd).ToArray(), Decompress(stored.AsSpan(0, (int)frameEnd).ToArray(), specification.Algorithm));
                frameStart = frameEnd;
            }

            Assert.Equal(stored.Length, frameStart);
        }

        var manifest = ArchiveManifest.Read(dir.Path)!;
        Assert.Equal(2, File.ReadAllLines(dir.File(ArchiveManifest.FileName)).Length);
        Assert.Equal(names[..2].Order(), manifest.Keys.Order());
        foreach (var name in names[..2])
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(dir.File(name)))), manifest[name]);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public void File_abandoned_without_close_holds_only_whole_frames(string compression)
    {
        using var dir = new TempDirectory();
        var specification = CompressionSpecification.Parse(compression);
        var wal = Wal(1_400_000, 2);
        using (var w = new WalSegmentWriter(dir.Path, TwoMb, 1, Start, ArchiveFileModes.OwnerOnly, FileSync.None, specification))
        {
            w.Write(Start, wal.AsSpan(0, 100_000));
            w.Flush();
            // Never flushed: a frame ends at MaxFrameInput, the rest is in the frame still open when the writer is dropped.
            w.Write(Start + 100_000, wal.AsSpan(100_000));
        }

        var stored = File.ReadAllBytes(dir.File(Name(0, specification) + WalFileName.PartialSuffix));
        Assert.Equal(wal.AsSpan(0, 100_000 + FrameEncoder.MaxFrameInput).ToArray(), Decompress(stored, specification.Algorithm));
        Assert.False(File.Exists(dir.File(ArchiveManifest.FileName)));
    }

    private static string Name(int segment, CompressionSpecification specification) =>
        WalFileName.Format(1, Start + (ulong)(segment * TwoMb.Bytes), TwoMb) + CompressedWal.SuffixOf(specification.Algorithm);

    private static void Observe(TempDirectory dir, string[] names, SortedSet<long>[] lengths)
    {
        for (var i = 0; i < names.Length; i++)
        {
            foreach (var path in (string[])[dir.File(names[i]), dir.File(names[i] + WalFileName.PartialSuffix)])
            {
                if (File.Exists(path) && new FileInfo(path).Length is > 0 and var length)
                    lengths[i].Add(length);
            }
        }
    }

    private static byte[] Decompress(byte[] stored, CompressionAlgorithm algorithm)
    {
        using var stream = CompressedWal.Decompress(new MemoryStream(stored), algorithm);
        using var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Magic(CompressionAlgorithm algorithm) => algorithm switch
    {
        CompressionAlgorithm.Gzip => [0x1F, 0x8B],
        CompressionAlgorithm.Lz4 => [0x04, 0x22, 0x4D, 0x18],
        _ => [0x28, 0xB5, 0x2F, 0xFD],
    };

    // Random bytes with runs of one value: something to compress, nothing that repeats across frames.
    private static byte[] Wal(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        for (var i = 0; i < bytes.Length; i += 4096)
            bytes.AsSpan(i, Math.Min(1024, bytes.Length - i)).Fill(0x5A);
        return bytes;
    }
}

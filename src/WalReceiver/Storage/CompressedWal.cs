using System.IO.Compression;
using WalReceiver.Wal;
using ZstdSharp;

namespace WalReceiver.Storage;

/// <summary>
/// Names and reading of archived WAL files in any of the stored forms: <c>NAME</c>, <c>NAME.gz</c>, <c>NAME.lz4</c>,
/// <c>NAME.zst</c>, each possibly followed by <c>.partial</c>.
/// </summary>
/// <remarks>
/// A compressed file is a sequence of complete gzip members, LZ4 frames or Zstandard frames (the writer ends one at every
/// flush), so the standard tools and these readers take any prefix of it that ends at a flush. A file cut inside an LZ4
/// or Zstandard frame (a crash between a write and its fsync) makes their readers throw <see cref="EndOfStreamException"/>
/// after returning everything before it; .NET's gzip reader returns what it could decode and stops silently, so only the
/// length of what came out tells a cut gzip file.
/// </remarks>
internal static class CompressedWal
{
    /// <summary>The suffix of <paramref name="algorithm"/>'s completed files.</summary>
    public static string SuffixOf(CompressionAlgorithm algorithm) => algorithm switch
    {
        CompressionAlgorithm.Gzip => ".gz",
        CompressionAlgorithm.Lz4 => ".lz4",
        CompressionAlgorithm.Zstd => ".zst",
        _ => "",
    };

    /// <summary>
    /// Splits an archive file name into its 24-character segment name (or other base name), compression and
    /// <c>.partial</c> flag. Only the known suffixes count, in pg_receivewal's order (compression, then <c>.partial</c>).
    /// </summary>
    public static (string Stem, CompressionAlgorithm Algorithm, bool IsPartial) Split(string fileName)
    {
        var name = fileName;
        var partial = name.EndsWith(WalFileName.PartialSuffix, StringComparison.Ordinal);
        if (partial)
            name = name[..^WalFileName.PartialSuffix.Length];
        foreach (var algorithm in (ReadOnlySpan<CompressionAlgorithm>)[CompressionAlgorithm.Gzip, CompressionAlgorithm.Lz4, CompressionAlgorithm.Zstd])
        {
            var suffix = SuffixOf(algorithm);
            if (name.EndsWith(suffix, StringComparison.Ordinal))
                return (name[..^suffix.Length], algorithm, partial);
        }

        return (name, CompressionAlgorithm.None, partial);
    }

    /// <summary>Opens <paramref name="path"/> for reading its WAL bytes, decompressing according to its name.</summary>
    public static Stream OpenRead(string path) => OpenRead(path, Split(Path.GetFileName(path)).Algorithm);

    /// <summary>Opens <paramref name="path"/> for reading its WAL bytes, decompressing with <paramref name="algorithm"/>.</summary>
    public static Stream OpenRead(string path, CompressionAlgorithm algorithm)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16,
            FileOptions.SequentialScan);
        try
        {
            return Decompress(file, algorithm);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Wraps <paramref name="compressed"/> (owned by the result) in a decompressing stream.</summary>
    public static Stream Decompress(Stream compressed, CompressionAlgorithm algorithm) => algorithm switch
    {
        // GZipStream reads concatenated members (since .NET Core 3.0), as gzip -d does.
        CompressionAlgorithm.Gzip => new GZipStream(compressed, CompressionMode.Decompress),
        // Both continue across concatenated frames, as lz4 -d and zstd -d do (LZ4 through a wrapper; see there why).
        CompressionAlgorithm.Lz4 => new Lz4FramesReadStream(compressed),
        CompressionAlgorithm.Zstd => new DecompressionStream(compressed),
        _ => compressed,
    };

    /// <summary>
    /// The number of WAL bytes in <paramref name="path"/> (decompressed); reads the whole file. Throws
    /// <see cref="InvalidDataException"/> or <see cref="EndOfStreamException"/> if it is damaged or cut inside a frame.
    /// </summary>
    public static long ContentLength(string path)
    {
        using var stream = OpenRead(path);
        if (stream is FileStream plain)
            return plain.Length;
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0)
            total += n;
        return total;
    }

    /// <summary>Whether <paramref name="e"/>, thrown while reading an archive file, means the file is damaged or cut short.</summary>
    public static bool IsDamage(Exception e) => e is InvalidDataException or EndOfStreamException or ZstdException;
}

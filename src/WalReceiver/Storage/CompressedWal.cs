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
    /// <summary>
    /// Every stored form, in the order a reader prefers them when several exist for one name: plain needs no decoding.
    /// </summary>
    public static ReadOnlySpan<CompressionAlgorithm> Forms =>
        [CompressionAlgorithm.None, CompressionAlgorithm.Gzip, CompressionAlgorithm.Lz4, CompressionAlgorithm.Zstd];

    /// <summary>The suffix of <paramref name="algorithm"/>'s completed files.</summary>
    public static string SuffixOf(CompressionAlgorithm algorithm) => algorithm switch
    {
        CompressionAlgorithm.Gzip => ".gz",
        CompressionAlgorithm.Lz4 => ".lz4",
        CompressionAlgorithm.Zstd => ".zst",
        _ => "",
    };

    /// <summary>The stored name of <paramref name="stem"/> in the form <paramref name="algorithm"/>, complete or <c>.partial</c>.</summary>
    public static string NameOf(string stem, CompressionAlgorithm algorithm, bool partial) =>
        stem + SuffixOf(algorithm) + (partial ? WalFileName.PartialSuffix : "");

    /// <summary>
    /// The stored forms of <paramref name="stem"/> in the order a restore serves them: the complete ones in the order of
    /// <see cref="Forms"/> (when <paramref name="completes"/>), then the <c>.partial</c> ones (when <paramref name="partials"/>).
    /// </summary>
    public static IEnumerable<(string Name, CompressionAlgorithm Algorithm, bool IsPartial)> Candidates(string stem, bool partials, bool completes = true)
    {
        foreach (var partial in new[] { false, true })
        {
            if (partial ? !partials : !completes)
                continue;
            foreach (var algorithm in Forms.ToArray())
                yield return (NameOf(stem, algorithm, partial), algorithm, partial);
        }
    }

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
        foreach (var algorithm in Forms)
        {
            var suffix = SuffixOf(algorithm);
            if (algorithm != CompressionAlgorithm.None && name.EndsWith(suffix, StringComparison.Ordinal))
                return (name[..^suffix.Length], algorithm, partial);
        }

        return (name, CompressionAlgorithm.None, partial);
    }

    /// <summary>
    /// The file of segment <paramref name="stem"/> in <paramref name="directory"/> in the first form that exists (plain,
    /// then each compression; complete forms only unless <paramref name="orPartial"/>, then <c>.partial</c> ones after them),
    /// or null when there is none.
    /// </summary>
    public static (string Path, CompressionAlgorithm Algorithm)? FindStored(string directory, string stem, bool orPartial)
    {
        foreach (var (name, algorithm, _) in Candidates(stem, orPartial))
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path))
                return (path, algorithm);
        }

        return null;
    }

    /// <summary>Opens <paramref name="path"/> for reading its WAL bytes, decompressing according to its name.</summary>
    public static Stream OpenRead(string path) => OpenRead(path, Split(Path.GetFileName(path)).Algorithm);

    /// <summary>
    /// Opens <paramref name="path"/> for reading its WAL bytes, decompressing with <paramref name="algorithm"/>.
    /// <paramref name="stored"/>, if given, wraps the stored bytes before they are decompressed (to hash them as stored);
    /// the result owns what it returns.
    /// </summary>
    public static Stream OpenRead(string path, CompressionAlgorithm algorithm, Func<Stream, Stream>? stored = null) =>
        OpenRead(OpenStored(path), algorithm, stored);

    /// <summary>
    /// Reads the WAL bytes of <paramref name="file"/>'s stored bytes (owned by the result), decompressing with
    /// <paramref name="algorithm"/>; <paramref name="stored"/> as in <see cref="OpenRead(string, CompressionAlgorithm, Func{Stream, Stream})"/>.
    /// </summary>
    public static Stream OpenRead(Stream file, CompressionAlgorithm algorithm, Func<Stream, Stream>? stored = null)
    {
        try
        {
            file = stored?.Invoke(file) ?? file;
            return Decompress(file, algorithm);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/>'s stored bytes, as they are on disk. Others may write, rename or delete it meanwhile:
    /// the receiver completes and renames <c>.partial</c> files while restore and verify read them.
    /// </summary>
    public static FileStream OpenStored(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);

    /// <summary>
    /// The long page header at the start of <paramref name="path"/> (decompressed), or null when the file is shorter than
    /// one or does not start a segment. Damage and I/O errors are thrown; the callers differ in what they make of them.
    /// </summary>
    public static WalPageHeader? ReadLongHeader(string path, CompressionAlgorithm algorithm) => ReadLongHeader(OpenStored(path), algorithm);

    /// <summary>The long page header at the start of the stored bytes <paramref name="stored"/> (owned here), as <see cref="ReadLongHeader(string, CompressionAlgorithm)"/>.</summary>
    public static WalPageHeader? ReadLongHeader(Stream stored, CompressionAlgorithm algorithm)
    {
        Span<byte> bytes = stackalloc byte[WalPageHeader.LongSize];
        using var stream = OpenRead(stored, algorithm);
        var n = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        return WalPageHeader.TryReadLong(bytes[..n], out var header) ? header : null;
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

    /// <summary>
    /// Whether <paramref name="e"/>, thrown while opening or reading an archive file, means the file is damaged or cut short
    /// (<see cref="EndOfStreamException"/>: cut inside a frame) rather than unreadable.
    /// </summary>
    /// <remarks>
    /// The decoders report damage each in their own way: <see cref="InvalidDataException"/> (gzip, a corrupt LZ4 frame
    /// header), <see cref="ZstdException"/> (which is not an <see cref="IOException"/>), and <see cref="ArgumentException"/>
    /// or <see cref="InvalidOperationException"/> (K4os's LZ4 decoder reports a content checksum mismatch so), which restore
    /// has always counted as damage from a decoder fed garbage.
    /// This is the one place that list is kept, so restore, verify, start planning and the identity check agree.
    /// </remarks>
    public static bool IsDamage(Exception e) =>
        e is InvalidDataException or EndOfStreamException or ZstdException or ArgumentException or InvalidOperationException;
}

using System.Diagnostics.CodeAnalysis;

namespace WalReceiver.Storage;

/// <summary>
/// A parsed <c>-Z/--compress</c> value, accepted and refused exactly as pg_receivewal 15.18 does (checked against its
/// binary, 2026-11): <c>METHOD[:DETAIL]</c>, where DETAIL is a bare level or <c>level=N</c> and <c>workers=N</c> items
/// separated by commas, or a bare integer (0 means none, anything else gzip at that level). Numbers are read the way
/// C's <c>strtol</c> reads them (leading blanks, a sign, truncation to int), since that is what decides acceptance there.
/// </summary>
/// <param name="Algorithm">The algorithm named.</param>
/// <param name="Level">The level given, or the algorithm's default.</param>
/// <param name="Workers">The worker count given, if any (only zstd accepts one).</param>
internal sealed record CompressionSpecification(CompressionAlgorithm Algorithm, int Level, int? Workers)
{
    // libzstd 1.5's ZSTD_minCLevel() and ZSTD_maxCLevel(), which bound zstd levels in PostgreSQL 15's check.
    private const int ZstdMinLevel = -131072;
    private const int ZstdMaxLevel = 22;

    /// <summary>No compression: plain segment files.</summary>
    public static readonly CompressionSpecification None = new(CompressionAlgorithm.None, 0, null);

    /// <summary>The algorithm's name as the command line spells it (<c>gzip</c>).</summary>
    public string AlgorithmName => NameOf(Algorithm);

    /// <summary>Parses <paramref name="text"/> or throws <see cref="FormatException"/> with pg_receivewal's message.</summary>
    public static CompressionSpecification Parse(string text) =>
        TryParse(text, out var specification, out var error) ? specification : throw new FormatException(error);

    /// <inheritdoc/>
    public override string ToString() => Algorithm == CompressionAlgorithm.None ? "none" : $"{AlgorithmName}:{Level}";

    /// <summary>
    /// Parses <paramref name="text"/>; on failure <paramref name="error"/> is pg_receivewal's message
    /// (<c>invalid compression specification: ...</c> or <c>unrecognized compression algorithm: "..."</c>).
    /// </summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out CompressionSpecification? specification,
        [NotNullWhen(false)] out string? error)
    {
        specification = null;
        string name;
        string? detail;
        var bare = CInteger.Parse(text, out var end);
        if (end == text.Length)
        {
            // A bare integer is the pre-15 syntax: a gzip level, with 0 meaning no compression.
            (name, detail) = bare == 0 ? ("none", null) : ("gzip", text);
        }
        else
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            (name, detail) = colon < 0 ? (text, null) : (text[..colon], text[(colon + 1)..]);
        }

        if (AlgorithmOf(name) is not { } algorithm)
        {
            error = $"unrecognized compression algorithm: \"{name}\"";
            return false;
        }

        var problem = ParseDetail(algorithm, detail, out var level, out var workers) ?? Validate(algorithm, level, workers);
        if (problem is not null)
        {
            error = $"invalid compression specification: {problem}";
            return false;
        }

        specification = new CompressionSpecification(algorithm, level, workers);
        error = null;
        return true;
    }

    private static string? ParseDetail(CompressionAlgorithm algorithm, string? detail, out int level, out int? workers)
    {
        level = DefaultLevel(algorithm);
        workers = null;
        if (detail is null)
            return null;
        var bare = CInteger.Parse(detail, out var end);
        if (end > 0 && end == detail.Length)
        {
            level = unchecked((int)bare);
            return null;
        }

        foreach (var item in detail.Split(','))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            var keyword = equals < 0 ? item : item[..equals];
            var value = equals < 0 ? null : item[(equals + 1)..];
            if (keyword.Length == 0)
                return "found empty string where a compression option was expected";
            if (keyword is not ("level" or "workers"))
                return $"unrecognized compression option: \"{keyword}\"";
            if (value is null)
                return $"compression option \"{keyword}\" requires a value";
            var number = CInteger.Parse(value, out var valueEnd);
            if (valueEnd == 0 || valueEnd != value.Length)
                return $"value for compression option \"{keyword}\" must be an integer";
            if (keyword == "level")
                level = unchecked((int)number);
            else
                workers = unchecked((int)number);
        }

        return null;
    }

    private static string? Validate(CompressionAlgorithm algorithm, int level, int? workers)
    {
        var name = NameOf(algorithm);
        var (min, max) = algorithm switch
        {
            CompressionAlgorithm.Gzip => (1, 9),
            CompressionAlgorithm.Lz4 => (1, 12),
            CompressionAlgorithm.Zstd => (ZstdMinLevel, ZstdMaxLevel),
            _ => (0, 0),
        };
        if (algorithm == CompressionAlgorithm.None && level != 0)
            return $"compression algorithm \"{name}\" does not accept a compression level";
        // The default level is accepted even outside the range (gzip's -1, lz4's 0).
        if ((level < min || level > max) && level != DefaultLevel(algorithm))
            return $"compression algorithm \"{name}\" expects a compression level between {min} and {max} (default at {DefaultLevel(algorithm)})";
        if (workers is not null && algorithm != CompressionAlgorithm.Zstd)
            return $"compression algorithm \"{name}\" does not accept a worker count";
        return null;
    }

    private static int DefaultLevel(CompressionAlgorithm algorithm) => algorithm switch
    {
        CompressionAlgorithm.Gzip => -1, // zlib's Z_DEFAULT_COMPRESSION
        CompressionAlgorithm.Zstd => 3, // libzstd's ZSTD_CLEVEL_DEFAULT
        _ => 0, // none, and lz4's fast mode
    };

    private static CompressionAlgorithm? AlgorithmOf(string name) => name switch
    {
        "none" => CompressionAlgorithm.None,
        "gzip" => CompressionAlgorithm.Gzip,
        "lz4" => CompressionAlgorithm.Lz4,
        "zstd" => CompressionAlgorithm.Zstd,
        _ => null,
    };

    internal static string NameOf(CompressionAlgorithm algorithm) => algorithm switch
    {
        CompressionAlgorithm.Gzip => "gzip",
        CompressionAlgorithm.Lz4 => "lz4",
        CompressionAlgorithm.Zstd => "zstd",
        _ => "none",
    };
}

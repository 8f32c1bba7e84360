using System.Globalization;
using System.Numerics;

namespace WalReceiver.Wal;

/// <summary>
/// The size of a WAL segment file: a power of two from 1 MB to 1 GB, fixed when the cluster was created
/// (<c>initdb --wal-segsize</c>) and read from the server, never assumed.
/// </summary>
public readonly record struct WalSegmentSize
{
    /// <summary>The smallest size PostgreSQL accepts (1 MB).</summary>
    public const int MinBytes = 1 << 20;

    /// <summary>The largest size PostgreSQL accepts (1 GB).</summary>
    public const int MaxBytes = 1 << 30;

    /// <summary>PostgreSQL's default (16 MB).</summary>
    public static readonly WalSegmentSize Default = new(16 << 20);

    /// <summary>Creates a segment size; throws unless a power of two in [1 MB, 1 GB].</summary>
    public WalSegmentSize(int bytes)
    {
        if (!IsValid(bytes))
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes,
                "WAL segment size must be a power of two between 1 MB and 1 GB");
        Bytes = bytes;
    }

    /// <summary>The size in bytes.</summary>
    public int Bytes { get; }

    /// <summary>How many segments one "xlogid" (4 GB of LSN space) holds: the middle part of a file name wraps there.</summary>
    public uint SegmentsPerXLogId => (uint)(0x1_0000_0000UL / (ulong)Bytes);

    /// <summary>Whether <paramref name="bytes"/> is a size PostgreSQL accepts.</summary>
    public static bool IsValid(long bytes) => bytes is >= MinBytes and <= MaxBytes && BitOperations.IsPow2(bytes);

    /// <summary>The segment number that holds <paramref name="lsn"/> (PostgreSQL's <c>XLByteToSeg</c>).</summary>
    public ulong SegmentOf(Lsn lsn) => lsn.Value / (ulong)Bytes;

    /// <summary>The offset of <paramref name="lsn"/> within its segment (<c>XLogSegmentOffset</c>).</summary>
    public int OffsetIn(Lsn lsn) => (int)(lsn.Value & (ulong)(Bytes - 1));

    /// <summary>The first LSN of the segment that holds <paramref name="lsn"/>.</summary>
    public Lsn StartOf(Lsn lsn) => new(lsn.Value & ~(ulong)(Bytes - 1));

    /// <summary>The first LSN of segment <paramref name="segment"/>.</summary>
    public Lsn StartOfSegment(ulong segment) => new(checked(segment * (ulong)Bytes));

    /// <summary>Whether <paramref name="lsn"/> is the first byte of a segment.</summary>
    public bool IsSegmentStart(Lsn lsn) => OffsetIn(lsn) == 0;

    /// <summary>
    /// Parses what <c>SHOW wal_segment_size</c> prints (<c>16MB</c>, <c>1GB</c>, <c>512kB</c>, or plain bytes).
    /// </summary>
    public static WalSegmentSize Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        var digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits]))
            digits++;
        long multiplier = s[digits..] switch
        {
            "" or "B" => 1,
            "kB" => 1L << 10,
            "MB" => 1L << 20,
            "GB" => 1L << 30,
            _ => 0,
        };
        if (digits == 0 || multiplier == 0
            || !long.TryParse(s.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            || !IsValid(n * multiplier))
            throw new FormatException(
                $"WAL segment size must be a power of two between 1 MB and 1 GB, but the server reported \"{text}\"");
        return new WalSegmentSize((int)(n * multiplier));
    }

    /// <summary>Formats like PostgreSQL (<c>16MB</c>, <c>1GB</c>).</summary>
    public override string ToString() => Bytes >= 1 << 30
        ? string.Create(CultureInfo.InvariantCulture, $"{Bytes >> 30}GB")
        : string.Create(CultureInfo.InvariantCulture, $"{Bytes >> 20}MB");
}

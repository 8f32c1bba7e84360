using System.Globalization;

namespace WalReceiver.Wal;

/// <summary>
/// WAL segment file names: 24 upper-case hex digits, <c>%08X%08X%08X</c> of timeline, segment / per-xlogid and
/// segment % per-xlogid (PostgreSQL's <c>XLogFileName</c>), optionally followed by <c>.partial</c>.
/// </summary>
public static class WalFileName
{
    /// <summary>The length of a segment name without suffix.</summary>
    public const int Length = 24;

    /// <summary>The suffix of a segment still being written.</summary>
    public const string PartialSuffix = ".partial";

    /// <summary>The name of segment <paramref name="segment"/> on timeline <paramref name="timeline"/>.</summary>
    public static string Format(uint timeline, ulong segment, WalSegmentSize size)
    {
        var perId = size.SegmentsPerXLogId;
        return string.Create(CultureInfo.InvariantCulture, $"{timeline:X8}{(uint)(segment / perId):X8}{(uint)(segment % perId):X8}");
    }

    /// <summary>The name of the segment holding <paramref name="lsn"/>.</summary>
    public static string Format(uint timeline, Lsn lsn, WalSegmentSize size) => Format(timeline, size.SegmentOf(lsn), size);

    /// <summary>
    /// Parses a 24-character segment name (no suffix). False for anything else, including lower-case hex and a low part
    /// that is out of range for this segment size (PostgreSQL would never write such a name).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> name, WalSegmentSize size, out uint timeline, out ulong segment)
    {
        timeline = 0;
        segment = 0;
        if (name.Length != Length || !IsUpperHex(name))
            return false;
        timeline = uint.Parse(name[..8], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        var hi = uint.Parse(name.Slice(8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        var lo = uint.Parse(name.Slice(16, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        if (timeline == 0 || lo >= size.SegmentsPerXLogId)
            return false;
        segment = (ulong)hi * size.SegmentsPerXLogId + lo;
        return true;
    }

    /// <summary>Whether every character is 0-9 or A-F (PostgreSQL names are upper case only).</summary>
    public static bool IsUpperHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'A' and <= 'F'))
                return false;
        }

        return !text.IsEmpty;
    }
}

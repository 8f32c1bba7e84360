using System.Globalization;

namespace WalReceiver.Wal;

/// <summary>Timeline arithmetic and names: a timeline is a 32-bit number starting at 1.</summary>
internal static class TimelineId
{
    /// <summary>The first timeline of every cluster; it has no history file.</summary>
    public const uint First = 1;

    /// <summary>The history file name of a timeline, <c>%08X.history</c> (PostgreSQL's <c>TLHistoryFileName</c>).</summary>
    public static string HistoryFileName(uint timeline) =>
        string.Create(CultureInfo.InvariantCulture, $"{timeline:X8}.history");

    /// <summary>Parses <c>%08X.history</c>; false for anything else.</summary>
    public static bool TryParseHistoryFileName(string name, out uint timeline)
    {
        timeline = 0;
        return name.Length == 16
            && name.EndsWith(".history", StringComparison.Ordinal)
            && WalFileName.IsUpperHex(name.AsSpan(0, 8))
            && uint.TryParse(name.AsSpan(0, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out timeline)
            && timeline > 0;
    }
}

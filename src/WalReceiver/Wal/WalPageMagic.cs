namespace WalReceiver.Wal;

/// <summary>
/// <c>XLOG_PAGE_MAGIC</c>, the first two bytes of every WAL page: it changes whenever a major version changes the WAL
/// format, so it tells which server wrote a page.
/// </summary>
internal static class WalPageMagic
{
    /// <summary>The magic of major version <paramref name="major"/> (13 to 18), or null for a version not known here.</summary>
    public static ushort? ForMajorVersion(int major) => major switch
    {
        13 => 0xD106,
        14 => 0xD10D,
        15 => 0xD110,
        16 => 0xD113,
        17 => 0xD116,
        18 => 0xD118,
        _ => null,
    };
}

namespace WalReceiver.Wal;

/// <summary>
/// Orders segment file names (with or without a suffix) by the WAL position they hold, then by timeline: the log and
/// segment numbers (characters 9 to 24) first. By name alone an abandoned timeline's later segments would sort before a
/// newer timeline's earlier ones.
/// </summary>
internal sealed class WalPositionOrder : IComparer<string>
{
    /// <summary>The one instance.</summary>
    public static readonly WalPositionOrder Instance = new();

    private WalPositionOrder()
    {
    }

    /// <inheritdoc/>
    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
            return x is null ? (y is null ? 0 : -1) : 1;
        var position = string.CompareOrdinal(x, 8, y, 8, WalFileName.Length - 8);
        return position != 0 ? position : string.CompareOrdinal(x, y);
    }
}

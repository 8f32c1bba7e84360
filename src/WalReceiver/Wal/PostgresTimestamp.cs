namespace WalReceiver.Wal;

/// <summary>
/// PostgreSQL's <c>TimestampTz</c> as WAL stores it: a signed 64-bit count of microseconds since 2000-01-01 00:00:00
/// UTC. A <see cref="DateTimeOffset"/> counts 100-nanosecond ticks, so every timestamp in its range converts exactly.
/// </summary>
internal static class PostgresTimestamp
{
    /// <summary>PostgreSQL's epoch, <c>POSTGRES_EPOCH_JDATE</c>: 2000-01-01 00:00:00 UTC.</summary>
    public static readonly DateTimeOffset Epoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const long TicksPerMicrosecond = TimeSpan.TicksPerMicrosecond;

    // The microsecond counts that land inside DateTimeOffset's range (years 1 to 9999); the server's infinities and its
    // dates up to 294276 AD do not, and no commit or restore point carries one.
    private static readonly long MinMicroseconds = -(Epoch.UtcTicks / TicksPerMicrosecond);
    private static readonly long MaxMicroseconds = (DateTimeOffset.MaxValue.UtcTicks - Epoch.UtcTicks) / TicksPerMicrosecond;

    /// <summary>The instant <paramref name="microseconds"/> names, in UTC; false when it is outside <see cref="DateTimeOffset"/>'s range.</summary>
    public static bool TryToDateTimeOffset(long microseconds, out DateTimeOffset time)
    {
        time = default;
        if (microseconds < MinMicroseconds || microseconds > MaxMicroseconds)
            return false;
        time = Epoch.AddTicks(microseconds * TicksPerMicrosecond);
        return true;
    }

    /// <summary>The <c>TimestampTz</c> of <paramref name="time"/>; throws unless it is a whole number of microseconds.</summary>
    public static long FromDateTimeOffset(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - Epoch.UtcTicks;
        if (ticks % TicksPerMicrosecond != 0)
            throw new ArgumentException($"{time:O} is not a whole number of microseconds, so it is no PostgreSQL timestamp", nameof(time));
        return ticks / TicksPerMicrosecond;
    }
}

using System.Globalization;
using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>What a point-in-time recovery should stop at: exactly one of a time, a transaction, a restore point or an LSN.</summary>
/// <param name="Time"><c>recovery_target_time</c>, exact to the microsecond (PostgreSQL's precision).</param>
/// <param name="Xid"><c>recovery_target_xid</c>.</param>
/// <param name="Name"><c>recovery_target_name</c>: a restore point made with <c>pg_create_restore_point()</c>.</param>
/// <param name="Lsn"><c>recovery_target_lsn</c>.</param>
internal sealed record RecoveryTargetRequest(DateTimeOffset? Time = null, uint? Xid = null, string? Name = null, Lsn? Lsn = null)
{
    /// <summary>The recovery target setting, as postgresql.conf takes it (recovery_target_inclusive stays at its default, on).</summary>
    public string Setting => this switch
    {
        { Time: { } t } => $"recovery_target_time = '{FormatTime(t)}'",
        { Xid: { } x } => string.Create(CultureInfo.InvariantCulture, $"recovery_target_xid = '{x}'"),
        { Name: { } n } => $"recovery_target_name = '{n.Replace("'", "''", StringComparison.Ordinal)}'",
        { Lsn: { } l } => $"recovery_target_lsn = '{l}'",
        _ => throw new InvalidOperationException("no recovery target"),
    };

    /// <summary>A time as PostgreSQL prints a <c>timestamptz</c> in UTC: <c>2026-11-24 10:00:00.123456+00</c> (fraction only when there is one).</summary>
    public static string FormatTime(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        var text = utc.ToString(utc.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        return text + "+00";
    }
}

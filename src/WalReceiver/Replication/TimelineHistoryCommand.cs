using System.Runtime.CompilerServices;
using System.Text;
using Npgsql.Replication;

namespace WalReceiver.Replication;

/// <summary>
/// <c>TIMELINE_HISTORY</c>, working around Npgsql 10.0.3: its <c>TimelineHistory</c> reads the <c>content</c> column
/// as bytea, but PostgreSQL 15 sends it typed text, so the call always fails with an InvalidCastException (2026-11-24;
/// seen against 15.18). We run the same command through Npgsql's own single-row reader, which returns text columns as
/// strings, and turn the text back into the file's bytes (history files are ASCII).
/// </summary>
internal static class TimelineHistoryCommand
{
    /// <summary>The content of the history file of <paramref name="timeline"/>.</summary>
    public static async Task<byte[]> ReadAsync(ReplicationConnection connection, uint timeline, CancellationToken cancellationToken)
    {
        var row = await ReadSingleRow(connection, $"TIMELINE_HISTORY {timeline.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            cancellationToken);
        return row[1] switch
        {
            byte[] bytes => bytes, // a server or Npgsql version that types the column as bytea
            string text => Encoding.UTF8.GetBytes(text),
            var other => throw new InvalidOperationException($"TIMELINE_HISTORY returned {other?.GetType().Name ?? "null"} content"),
        };
    }

    // Pinned with Npgsql's version in Directory.Packages.props; the integration tests that promote a server fail at once if
    // a new version renames it.
    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "ReadSingleRow")]
    private static extern Task<object[]> ReadSingleRow(ReplicationConnection connection, string command, CancellationToken cancellationToken);
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using WalReceiver.Replication;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Cli.Commands.Status;

/// <summary>Formats statuses for people (text) and for scripts (JSON).</summary>
internal static class StatusPrinter
{
    /// <summary>Text, one block per server.</summary>
    public static string Text(IEnumerable<(StatusTarget Target, ServerStatus Status)> results)
    {
        var sb = new StringBuilder();
        foreach (var (t, s) in results)
        {
            Line(sb, $"{(t.Source is null ? "" : $"source {t.Source}: ")}server {s.Host} ({(s.InRecovery ? "standby" : "primary")}), WAL at {s.CurrentLsn}");
            if (s.Senders.Count == 0)
                Line(sb, "  no walsender matches (is the archiver connected?)");
            foreach (var w in s.Senders)
            {
                Line(sb, $"  walsender {w.ApplicationName} ({w.ClientAddress ?? "local"}): {w.State}, {w.SyncState}");
                Line(sb, $"    sent {Show(w.Sent)}  write {Show(w.Write)}  flush {Show(w.Flush)}  replay {Show(w.Replay)}");
                Line(sb, $"    behind the server: sent {Bytes(w.SentLagBytes)}, write {Bytes(w.WriteLagBytes)}, flush {Bytes(w.FlushLagBytes)}");
                Line(sb, $"    lag time: write {Show(w.WriteLag)}, flush {Show(w.FlushLag)}, replay {Show(w.ReplayLag)}");
            }

            if (t.Slot is not null)
            {
                Line(sb, s.Slot is { } slot
                    ? $"  slot {slot.Name}: {(slot.Active ? "active" : "inactive")}, restart_lsn {Show(slot.RestartLsn)}, wal_status {slot.WalStatus ?? "-"}, retains {Bytes(slot.RetainedBytes)}"
                    : $"  slot {t.Slot}: does not exist");
            }

            if (t.Directory is not null)
                Line(sb, $"  archive {t.Directory}: {Newest(t.Directory, s.WalSegmentSize) ?? "no complete segment"}");
        }

        return sb.ToString();
    }

    /// <summary>JSON: an array with one object per server.</summary>
    public static string Json(IEnumerable<(StatusTarget Target, ServerStatus Status)> results)
    {
        using var buffer = new MemoryStream();
        using (var j = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartArray();
            foreach (var (t, s) in results)
            {
                j.WriteStartObject();
                if (t.Source is not null)
                    j.WriteString("source", t.Source);
                j.WriteString("server", s.Host);
                j.WriteBoolean("inRecovery", s.InRecovery);
                j.WriteString("currentLsn", s.CurrentLsn.ToString());
                j.WriteStartArray("walsenders");
                foreach (var w in s.Senders)
                {
                    j.WriteStartObject();
                    j.WriteString("applicationName", w.ApplicationName);
                    j.WriteString("state", w.State);
                    j.WriteString("syncState", w.SyncState);
                    Lsn(j, "sentLsn", w.Sent);
                    Lsn(j, "writeLsn", w.Write);
                    Lsn(j, "flushLsn", w.Flush);
                    Lsn(j, "replayLsn", w.Replay);
                    Number(j, "sentLagBytes", w.SentLagBytes);
                    Number(j, "writeLagBytes", w.WriteLagBytes);
                    Number(j, "flushLagBytes", w.FlushLagBytes);
                    Seconds(j, "writeLagSeconds", w.WriteLag);
                    Seconds(j, "flushLagSeconds", w.FlushLag);
                    Seconds(j, "replayLagSeconds", w.ReplayLag);
                    j.WriteEndObject();
                }

                j.WriteEndArray();
                if (s.Slot is { } slot)
                {
                    j.WriteStartObject("slot");
                    j.WriteString("name", slot.Name);
                    j.WriteBoolean("active", slot.Active);
                    Lsn(j, "restartLsn", slot.RestartLsn);
                    j.WriteString("walStatus", slot.WalStatus);
                    Number(j, "retainedBytes", slot.RetainedBytes);
                    j.WriteEndObject();
                }

                if (t.Directory is not null)
                    j.WriteString("newestCompleteSegment", NewestName(t.Directory, s.WalSegmentSize));
                j.WriteEndObject();
            }

            j.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string? NewestName(string directory, WalSegmentSize size) =>
        Directory.Exists(directory)
            ? WalDirectory.FindNewest(WalDirectory.Scan(directory, size).Where(s => !s.IsPartial), size, directory: directory)?.FileName
            : null;

    private static string? Newest(string directory, WalSegmentSize size) =>
        NewestName(directory, size) is { } name && WalFileName.TryParse(CompressedWal.Split(name).Stem, size, out _, out var segment)
            ? $"newest complete segment {name} (archived up to {size.StartOfSegment(segment + 1)})"
            : null;

    private static void Line(StringBuilder sb, string text) => sb.Append(text).Append('\n');

    private static string Show(Lsn? lsn) => lsn?.ToString() ?? "-";

    private static string Show(TimeSpan? t) => t is { } v ? v.TotalSeconds.ToString("0.000 's'", CultureInfo.InvariantCulture) : "-";

    private static string Bytes(long? b) => b is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) + " B" : "-";

    private static void Lsn(Utf8JsonWriter j, string name, Lsn? lsn)
    {
        if (lsn is { } v)
            j.WriteString(name, v.ToString());
        else
            j.WriteNull(name);
    }

    private static void Number(Utf8JsonWriter j, string name, long? value)
    {
        if (value is { } v)
            j.WriteNumber(name, v);
        else
            j.WriteNull(name);
    }

    private static void Seconds(Utf8JsonWriter j, string name, TimeSpan? value)
    {
        if (value is { } v)
            j.WriteNumber(name, v.TotalSeconds);
        else
            j.WriteNull(name);
    }
}

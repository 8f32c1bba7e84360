using System.Globalization;

namespace WalReceiver.Wal;

/// <summary>
/// The ancestry of a timeline, as PostgreSQL writes it in <c>%08X.history</c>: one line per ancestor,
/// <c>parent-tli TAB switch-lsn TAB reason</c>, oldest first. Timeline 1 has no file and no ancestors.
/// </summary>
internal sealed class TimelineHistory
{
    private TimelineHistory(uint timeline, IReadOnlyList<TimelineHistoryEntry> entries)
    {
        Timeline = timeline;
        Entries = entries;
    }

    /// <summary>The timeline this history belongs to (the newest one).</summary>
    public uint Timeline { get; }

    /// <summary>Its ancestors with their switch points, oldest first.</summary>
    public IReadOnlyList<TimelineHistoryEntry> Entries { get; }

    /// <summary>The history of timeline 1, which has no ancestors.</summary>
    public static TimelineHistory ForFirstTimeline { get; } = new(TimelineId.First, []);

    /// <summary>Parses a history file's content; blank lines and <c>#</c> comments are skipped, as PostgreSQL does.</summary>
    public static TimelineHistory Parse(uint timeline, string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var entries = new List<TimelineHistoryEntry>();
        foreach (var raw in content.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            var fields = line.Split('\t', ' ');
            if (fields.Length < 2
                || !uint.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
                || !Lsn.TryParse(fields[1], out var switchPoint))
                throw new FormatException($"invalid line in the history file of timeline {timeline}: \"{line}\"");
            if (parent >= timeline || (entries.Count > 0 && (parent <= entries[^1].Timeline || switchPoint < entries[^1].SwitchPoint)))
                throw new FormatException($"the history file of timeline {timeline} is not in increasing order at \"{line}\"");
            entries.Add(new TimelineHistoryEntry(parent, switchPoint));
        }

        return new TimelineHistory(timeline, entries);
    }

    /// <summary>Whether <paramref name="timeline"/> is this timeline or one of its ancestors.</summary>
    public bool Contains(uint timeline) => timeline == Timeline || Entries.Any(e => e.Timeline == timeline);

    /// <summary>Where <paramref name="timeline"/> ended, or null if it is this (live) timeline or not an ancestor.</summary>
    public Lsn? SwitchPointOf(uint timeline) => Entries.FirstOrDefault(e => e.Timeline == timeline)?.SwitchPoint;

    /// <summary>The timeline that followed ancestor <paramref name="timeline"/> (the next entry, or this timeline).</summary>
    public uint NextAfter(uint timeline)
    {
        for (var i = 0; i < Entries.Count; i++)
        {
            if (Entries[i].Timeline == timeline)
                return i + 1 < Entries.Count ? Entries[i + 1].Timeline : Timeline;
        }

        throw new ArgumentException($"timeline {timeline} is not an ancestor of timeline {Timeline}", nameof(timeline));
    }

    /// <summary>The timeline that holds <paramref name="lsn"/> in this history (the first whose switch point is past it).</summary>
    public uint TimelineOf(Lsn lsn) => Entries.FirstOrDefault(e => lsn < e.SwitchPoint)?.Timeline ?? Timeline;

    /// <summary>Formats like the file, for messages: <c>1 at 0/9310B90, 2 at 0/D000000, then 3</c>.</summary>
    public override string ToString() =>
        string.Join(", ", Entries.Select(e => $"{e.Timeline} until {e.SwitchPoint}").Append($"then {Timeline}"));
}

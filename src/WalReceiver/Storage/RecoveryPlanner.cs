using System.Globalization;
using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// Plans a point-in-time recovery from an archive alone: which record a recovery to the target stops at, on which
/// timeline, every file it will ask <c>restore_command</c> for and whether the archive has each one verified, and the
/// settings to give it. The events come from the recovery target indexes written while streaming (or by
/// <c>verify</c>), and from the WAL itself for segments that have none.
/// </summary>
/// <remarks>
/// PostgreSQL's rules, with <c>recovery_target_inclusive</c> at its default (on): a time target stops before the first
/// commit or abort, in WAL order, whose time is later than the target (commit times need not grow with the LSN, so it is
/// the first in WAL order that counts, not the latest time); an xid target stops after that transaction's commit or
/// abort; a name target after the first restore point of that name; an LSN target after the first record that starts
/// at or after it. Recovery reads the stop record whole, so it needs the WAL up to that record's end. A target the
/// archive does not reach is refused by PostgreSQL at the end of the WAL ("recovery ended before configured recovery
/// target was reached"), so the plan says so instead of printing settings that would fail.
/// </remarks>
internal static class RecoveryPlanner
{
    /// <summary>Plans a recovery to <paramref name="target"/> from the archive in <paramref name="directory"/>.</summary>
    /// <param name="directory">The archive directory.</param>
    /// <param name="target">Where to stop.</param>
    /// <param name="timeline">The timeline to recover along; null for the newest the archive has.</param>
    /// <param name="start">Where replay begins (the base backup's START WAL LOCATION); null for the first WAL the archive has.</param>
    /// <param name="restoreCommand">The program, for the <c>restore_command</c> setting.</param>
    public static RecoveryPlan Plan(string directory, RecoveryTargetRequest target, uint? timeline, Lsn? start, string restoreCommand)
    {
        var segments = new WalArchive(directory).GetSegments();
        var explanation = new List<string>();
        if (segments.Count == 0)
            return Unreachable(0, Lsn.Invalid, [$"the archive \"{directory}\" has no WAL segment"], []);
        var size = new WalSegmentSize((int)(segments[0].End.Value - segments[0].Start.Value));
        var histories = ReadHistories(directory);
        var newest = Math.Max(segments.Max(s => s.Timeline), histories.Keys.DefaultIfEmpty(TimelineId.First).Max());
        var tli = timeline ?? newest;
        if (tli != TimelineId.First && !histories.ContainsKey(tli))
            return Unreachable(tli, Lsn.Invalid, [$"the archive has no {TimelineId.HistoryFileName(tli)}: recovery cannot follow timeline {tli} without it"], []);
        var history = tli == TimelineId.First ? TimelineHistory.ForFirstTimeline : histories[tli];
        var path = Path(history);
        var first = segments.Where(s => OnPath(path, size, s)).MinBy(s => s.Start.Value);
        var from = start ?? first?.Start ?? Lsn.Invalid;
        if (first is null)
            return Unreachable(tli, from, [$"the archive has no segment of timeline {tli} or its ancestors ({string.Join(", ", path.Select(p => p.Timeline))})"], []);

        var report = ArchiveVerifier.Verify(directory);
        var damaged = report.Findings.Where(f => f.Severity == ArchiveFindingSeverity.Error)
            .GroupBy(f => f.File, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Message, StringComparer.Ordinal);
        var store = new RecoveryTargetIndexStore(directory, ArchiveFileModes.OwnerOnly, FileSync.None);
        var files = new List<PlannedFile>();
        if (tli != TimelineId.First)
            files.Add(Planned(TimelineId.HistoryFileName(tli), TimelineId.HistoryFileName(tli), damaged));

        RecoveryTargetEvent? stop = null, lastReplayed = null;
        Lsn? neededUpTo = null;
        var partial = false;
        byte[] previous = [];
        for (var number = size.SegmentOf(from); neededUpTo is null; number++)
        {
            var onTimeline = TimelineFor(path, size, number);
            var name = WalFileName.Format(onTimeline, number, size);
            var file = FileOf(segments, name);
            if (file is null)
            {
                // A gap is a missing file; past the newest segment, the archive's WAL has simply ended.
                var gap = segments.Any(s => OnPath(path, size, s) && size.SegmentOf(s.Start) > number);
                if (gap)
                    files.Add(new PlannedFile(name, null, false, "not in the archive"));
                explanation.Add(Missing(target, name, lastReplayed, gap));
                return Unreachable(tli, from, explanation, files);
            }

            partial |= file.IsPartial;
            files.Add(Planned(name, file.Name, damaged));
            var bytes = WalArchive.ReadSegment(file);
            var segmentStart = size.StartOfSegment(number);
            IReadOnlyList<RecoveryTargetEvent> events;
            RecoveryTargetIndex? stored = null;
            try
            {
                stored = file.IsPartial ? null : store.TryRead(name, size);
            }
            catch (InvalidDataException e)
            {
                explanation.Add($"note: {e.Message}; read the events from the WAL instead");
            }

            events = stored?.Events ?? SegmentEventReader.Read(previous, bytes, segmentStart, size).Events;
            if (target.Lsn is { } lsn)
            {
                if (FirstRecordFrom(bytes, segmentStart, lsn, size) is { } record)
                {
                    neededUpTo = WalRecordEnd.Of(record.Lsn, record.TotalLength, size);
                    explanation.Add($"recovery stops after the record at {record.Lsn} ({ResourceManagers.NameOf(record.ResourceManager)}), the first that starts at or after {lsn}; it ends at {neededUpTo}");
                }
            }
            else
            {
                foreach (var e in events)
                {
                    if (e.Start < from)
                        continue; // in the base backup already
                    if (Stops(target, e))
                    {
                        stop = e;
                        neededUpTo = e.End;
                        break;
                    }

                    if (e.Kind != RecoveryTargetKind.RestorePoint)
                        lastReplayed = e;
                }
            }

            // The record that stops recovery may go on into later segments: those are needed too.
            if (neededUpTo is { } end && size.SegmentOf(new Lsn(end.Value - 1)) > number)
            {
                for (var more = number + 1; more <= size.SegmentOf(new Lsn(end.Value - 1)); more++)
                {
                    var moreName = WalFileName.Format(TimelineFor(path, size, more), more, size);
                    var moreFile = FileOf(segments, moreName);
                    files.Add(moreFile is null ? new PlannedFile(moreName, null, false, "not in the archive") : Planned(moreName, moreFile.Name, damaged));
                    partial |= moreFile?.IsPartial == true;
                }
            }

            previous = bytes;
        }

        if (stop is { } s)
            explanation.Insert(0, Describe(target, s, lastReplayed));
        var problems = files.Where(f => !f.Verified).ToList();
        if (problems.Count > 0)
            explanation.Add($"{problems.Count} of the {files.Count} files recovery needs are missing or failed verification: {string.Join(", ", problems.Select(p => p.Name))}");
        if (partial)
            explanation.Add("the WAL needed ends in a .partial file (the segment the receiver was writing): restore_command passes --partial to serve it");
        var settings = new List<string>
        {
            $"restore_command = '{ConfString(ShellWord(restoreCommand))} restore{(partial ? " --partial" : "")} -D {ConfString(ShellWord(System.IO.Path.GetFullPath(directory)))} %f %p'",
            target.Setting,
            string.Create(CultureInfo.InvariantCulture, $"recovery_target_timeline = '{tli}'"),
            "recovery_target_action = 'promote'",
        };
        return new RecoveryPlan(problems.Count == 0, tli, from, stop, lastReplayed, neededUpTo, explanation, settings, files);
    }

    // restore_command runs through the shell: a path with anything but the plainest characters is quoted for it.
    internal static string ShellWord(string word) =>
        word.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ':' or ',')
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    // Inside a single-quoted postgresql.conf value a quote is doubled.
    internal static string ConfString(string value) => value.Replace("'", "''", StringComparison.Ordinal);

    private static RecoveryPlan Unreachable(uint timeline, Lsn start, List<string> explanation, List<PlannedFile> files) =>
        new(false, timeline, start, null, null, null, explanation, [], files);

    private static bool Stops(RecoveryTargetRequest target, RecoveryTargetEvent e) => target switch
    {
        { Time: { } t } => e.Kind != RecoveryTargetKind.RestorePoint && e.Time > t,
        { Xid: { } x } => e.Kind != RecoveryTargetKind.RestorePoint && e.Xid == x,
        { Name: { } n } => e.Kind == RecoveryTargetKind.RestorePoint && e.Name == n,
        _ => false,
    };

    private static string Describe(RecoveryTargetRequest target, RecoveryTargetEvent stop, RecoveryTargetEvent? last)
    {
        var what = stop.Kind == RecoveryTargetKind.RestorePoint
            ? $"restore point \"{stop.Name}\" at {stop.Start} (made {RecoveryTargetRequest.FormatTime(stop.Time)})"
            : $"{(stop.Kind == RecoveryTargetKind.Commit ? "commit" : "abort")} of transaction {stop.Xid} at {stop.Start} ({RecoveryTargetRequest.FormatTime(stop.Time)})";
        return target.Time is not null
            ? $"recovery stops before the {what}, the first commit or abort after the target" +
              (last is { } l ? $"; the last one replayed is the {(l.Kind == RecoveryTargetKind.Commit ? "commit" : "abort")} of transaction {l.Xid} at {l.Start} ({RecoveryTargetRequest.FormatTime(l.Time)})" : "")
            : $"recovery stops after the {what}";
    }

    private static string Missing(RecoveryTargetRequest target, string name, RecoveryTargetEvent? last, bool gap)
    {
        var reach = target switch
        {
            { Time: { } t } => $"no commit or abort after {RecoveryTargetRequest.FormatTime(t)} comes before that" +
                (last is { } l ? $" (the newest is transaction {l.Xid} at {l.Start}, {RecoveryTargetRequest.FormatTime(l.Time)})" : ""),
            { Xid: { } x } => $"transaction {x} commits or aborts nowhere before that",
            { Name: { } n } => $"no restore point \"{n}\" comes before that",
            { Lsn: { } l } => $"no record at or after {l} comes before that",
            _ => "",
        };
        return gap
            ? $"the archive cannot reach the target: it has no {name}, where recovery would stop, and {reach}"
            : $"the archive cannot reach the target: its WAL ends before {name}, and {reach}; PostgreSQL would end recovery with " +
              "\"recovery ended before configured recovery target was reached\"";
    }

    private static WalRecordInfo? FirstRecordFrom(byte[] bytes, Lsn segmentStart, Lsn lsn, WalSegmentSize size)
    {
        if (lsn.Value >= segmentStart.Value + (ulong)size.Bytes)
            return null;
        foreach (var r in WalSegmentInspector.Inspect(bytes, [], segmentStart).Records)
        {
            if (r.Lsn >= lsn)
                return r;
        }

        return null;
    }

    // The archive's file of a segment: complete before partial.
    private static WalArchiveSegment? FileOf(IReadOnlyList<WalArchiveSegment> segments, string segmentName) =>
        segments.Where(s => s.SegmentName == segmentName).OrderBy(s => s.IsPartial).FirstOrDefault();

    private static PlannedFile Planned(string name, string storedAs, Dictionary<string, string> damaged) =>
        damaged.TryGetValue(storedAs, out var problem) ? new PlannedFile(name, storedAs, false, problem) : new PlannedFile(name, storedAs, true, null);

    private static Dictionary<uint, TimelineHistory> ReadHistories(string directory)
    {
        var histories = new Dictionary<uint, TimelineHistory>();
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            if (TimelineId.TryParseHistoryFileName(System.IO.Path.GetFileName(file), out var tli))
                histories[tli] = TimelineHistory.Parse(tli, File.ReadAllText(file));
        }

        return histories;
    }

    // The timelines of the history, each with the LSN it begins at, oldest first.
    private static List<(uint Timeline, Lsn Begin)> Path(TimelineHistory history)
    {
        var path = new List<(uint, Lsn)>();
        var begin = Lsn.Invalid;
        foreach (var entry in history.Entries)
        {
            path.Add((entry.Timeline, begin));
            begin = entry.SwitchPoint;
        }

        path.Add((history.Timeline, begin));
        return path;
    }

    // As recovery picks the file of a segment: the newest timeline of the path that began at or before the segment.
    private static uint TimelineFor(List<(uint Timeline, Lsn Begin)> path, WalSegmentSize size, ulong segment) =>
        path.Last(p => size.SegmentOf(p.Begin) <= segment).Timeline;

    private static bool OnPath(List<(uint Timeline, Lsn Begin)> path, WalSegmentSize size, WalArchiveSegment s) =>
        TimelineFor(path, size, size.SegmentOf(s.Start)) == s.Timeline;
}

using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Verification;

/// <summary>
/// The recovery target events decoded from PostgreSQL 15's own WAL are what pg_waldump prints for the same files:
/// every commit and abort (with the prepared transaction's xid for <c>COMMIT PREPARED</c> and <c>ROLLBACK PREPARED</c>)
/// and every restore point, at the same LSN with the same time and name; each event's end is where the next record
/// starts once aligned; every segment's index reads back as written; and the streaming scanner finds the same events.
/// </summary>
public sealed partial class RecoveryTargetAgreementTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Events_decoded_from_real_wal_are_the_commits_aborts_and_restore_points_pg_waldump_prints()
    {
        // COMMIT PREPARED needs prepared transactions; without autovacuum every commit in the window is this test's.
        await using var cluster = await TestClusters.StartAsync(
            new PostgresClusterOptions(WalSegmentSizeMb: 1, ExtraConfig: "max_prepared_transactions = 10\nautovacuum = off"), Ct);
        var size = new WalSegmentSize(cluster.WalSegmentSize);
        var slot = "pitr_" + Guid.NewGuid().ToString("N")[..8];
        var start = Lsn.Parse((await cluster.QueryScalarAsync<string>($"select lsn::text from pg_create_physical_replication_slot('{slot}', true)", Ct))!);

        await using var sql = new NpgsqlConnection(cluster.ConnectionString);
        await sql.OpenAsync(Ct);
        var (before, windowStart) = await ClockAsync(sql);
        var workload = await RunWorkloadAsync(sql, size);
        var (after, windowEnd) = await ClockAsync(sql);
        await ScalarAsync(sql, "select pg_switch_wal()::text");
        var end = Lsn.Parse(await ScalarAsync(sql, "select pg_current_wal_lsn()::text"));

        var segments = new List<byte[]>();
        for (var segment = size.SegmentOf(start); segment < size.SegmentOf(end); segment++)
            segments.Add(await cluster.ReadWalFileAsync(WalFileName.Format(1, segment, size), Ct));
        var first = size.StartOf(start);
        var ours = Decode(segments, first, size);
        var (theirs, recordStarts) = await WaldumpAsync(cluster, segments, first, size);
        // The streaming scanner, fed the same WAL in random pieces, finds the same events segment by segment.
        Assert.Equal(ours, Scan(segments, first, size));

        // Same events: restore point times are not printed by pg_waldump, so only ours are compared with the clock.
        Assert.Equal(theirs, ours.Select(e => (e.Kind, e.Start, e.Xid, e.Kind == RecoveryTargetKind.RestorePoint ? (DateTimeOffset?)null : e.Time, e.Name)));
        Assert.All(ours, e => Assert.Equal(recordStarts[recordStarts.BinarySearch(e.Start) + 1], NextRecordStart(e.End, size)));

        var inWindow = ours.Where(e => e.Start >= windowStart && e.Start < windowEnd).ToList();
        Assert.All(inWindow, e => Assert.InRange(e.Time, before, after));
        Assert.Contains(inWindow, e => e is { Kind: RecoveryTargetKind.Abort } && e.Xid == workload.Aborted);
        Assert.Contains(inWindow, e => e is { Kind: RecoveryTargetKind.Commit } && e.Xid == workload.CommittedPrepared);
        Assert.Contains(inWindow, e => e is { Kind: RecoveryTargetKind.Abort } && e.Xid == workload.RolledBackPrepared);
        Assert.Contains(inWindow, e => e is { Kind: RecoveryTargetKind.Commit } && e.Xid == workload.DroppedInPrepared);
        Assert.Contains(inWindow, e => e is { Kind: RecoveryTargetKind.Commit } && e.Xid == workload.SubtransactionsInPrepared);
        Assert.Equal(workload.RestorePoints, inWindow.Where(e => e.Kind == RecoveryTargetKind.RestorePoint).Select(e => e.Name));
        var crossing = Assert.Single(inWindow, e => e.Xid == workload.AcrossSegments);
        Assert.True(size.SegmentOf(crossing.Start) + 1 == crossing.EndSegment(size), $"the big commit {crossing} should end in the segment after its start");

        // One index per segment, holding the events whose records end there; each reads back as it was written.
        long indexBytes = 0;
        for (var i = 0; i < segments.Count; i++)
        {
            var segmentStart = first + (ulong)i * (ulong)size.Bytes;
            var index = new RecoveryTargetIndex(1, segmentStart, size, ours.Where(e => e.EndSegment(size) == size.SegmentOf(segmentStart)));
            var bytes = RecoveryTargetIndexFile.Encode(index);
            Assert.Equal(index.Events, RecoveryTargetIndexFile.Decode(bytes).Events);
            indexBytes += bytes.Length;
        }

        Assert.Contains(crossing, new RecoveryTargetIndex(1, size.StartOfSegment(crossing.EndSegment(size)), size,
            ours.Where(e => e.EndSegment(size) == crossing.EndSegment(size))).Events);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{ours.Count} events ({ours.Count(e => e.Kind == RecoveryTargetKind.Commit)} commits, {ours.Count(e => e.Kind == RecoveryTargetKind.Abort)} aborts, " +
            $"{ours.Count(e => e.Kind == RecoveryTargetKind.RestorePoint)} restore points) in {segments.Count} segments of {size.Bytes} bytes: " +
            $"{indexBytes} bytes of index"));
        foreach (var e in ours)
            TestContext.Current.TestOutputHelper?.WriteLine($"{e}");
    }

    // Every kind of event (returning the xids of the workload's transactions and the names of its restore points), with
    // the optional parts of a commit record before the prepared transaction's xid, and a
    // commit of 4,000 subtransactions (16 kB) placed to start a few kB before a segment ends.
    private static async Task<(uint Aborted, uint CommittedPrepared, uint RolledBackPrepared, uint DroppedInPrepared, uint SubtransactionsInPrepared,
        uint AcrossSegments, List<string> RestorePoints)> RunWorkloadAsync(NpgsqlConnection sql, WalSegmentSize size)
    {
        await ExecuteAsync(sql, "create table pitr_events (id int)");
        await ExecuteAsync(sql, "insert into pitr_events values (1)");

        await ExecuteAsync(sql, "begin; insert into pitr_events values (2)");
        var aborted = await XidAsync(sql);
        await ExecuteAsync(sql, "rollback");

        var restorePoints = new List<string> { "first point", "名前-" + new string('n', 56), "last" }; // the second has the most bytes there can be, 63
        await ScalarAsync(sql, $"select pg_create_restore_point('{restorePoints[0]}')::text");

        // A subtransaction rolled back: an abort record of its own xid.
        await ExecuteAsync(sql, "begin; insert into pitr_events values (3); savepoint s; insert into pitr_events values (4); rollback to savepoint s; commit");

        await ExecuteAsync(sql, "begin; insert into pitr_events values (5)");
        var committedPrepared = await XidAsync(sql);
        await ExecuteAsync(sql, "prepare transaction 'pitr-1'");
        await ExecuteAsync(sql, "commit prepared 'pitr-1'");

        await ExecuteAsync(sql, "begin; insert into pitr_events values (6)");
        var rolledBackPrepared = await XidAsync(sql);
        await ExecuteAsync(sql, "prepare transaction 'pitr-2'");
        await ExecuteAsync(sql, "rollback prepared 'pitr-2'");

        // Dropped relations, dropped statistics and invalidations come before xl_xact_twophase.
        await ExecuteAsync(sql, "create table pitr_dropped (x int); insert into pitr_dropped values (1)");
        await ExecuteAsync(sql, "begin; drop table pitr_dropped");
        var droppedInPrepared = await XidAsync(sql);
        await ExecuteAsync(sql, "prepare transaction 'pitr-3'");
        await ExecuteAsync(sql, "commit prepared 'pitr-3'");

        await ExecuteAsync(sql, "begin; insert into pitr_events values (7); savepoint a; insert into pitr_events values (8); release a");
        var subtransactionsInPrepared = await XidAsync(sql);
        await ExecuteAsync(sql, "prepare transaction 'pitr-4'");
        await ExecuteAsync(sql, "commit prepared 'pitr-4'");

        await ScalarAsync(sql, $"select pg_create_restore_point('{restorePoints[1]}')::text");

        await ExecuteAsync(sql, "begin");
        await ExecuteAsync(sql, "do $$ begin for i in 1..4000 loop begin insert into pitr_events values (i); exception when others then null; end; end loop; end $$");
        var acrossSegments = await XidAsync(sql);
        // Pad with a non-transactional message so that the commit record starts about 6 kB before a segment ends; first
        // into the next segment when this one has too little room left.
        var toEnd = $"({size.Bytes} - ((pg_current_wal_insert_lsn() - '0/0'::pg_lsn) % {size.Bytes}))::bigint";
        await ExecuteAsync(sql, $$"""
            do $$
            declare d bigint := {{toEnd}};
            begin
              if d < 40000 then
                perform pg_logical_emit_message(false, 'pad', repeat('x', d::int));
                d := {{toEnd}};
              end if;
              perform pg_logical_emit_message(false, 'pad', repeat('x', ((d - 6100) * 8168 / 8192 - 100)::int));
            end $$
            """);
        await ExecuteAsync(sql, "commit");

        await ScalarAsync(sql, $"select pg_create_restore_point('{restorePoints[2]}')::text");
        return (aborted, committedPrepared, rolledBackPrepared, droppedInPrepared, subtransactionsInPrepared, acrossSegments, restorePoints);
    }

    // The events of every record that starts in one of the segments, each reassembled with the segment after it.
    private static List<RecoveryTargetEvent> Decode(List<byte[]> segments, Lsn first, WalSegmentSize size)
    {
        var format = WalRecordFormat.ForPageMagic(BinaryPrimitives.ReadUInt16LittleEndian(segments[0])) ?? throw new InvalidOperationException("unknown page magic");
        var events = new List<RecoveryTargetEvent>();
        for (var i = 0; i < segments.Count; i++)
        {
            var inspection = WalSegmentInspector.Inspect(segments[i], i + 1 < segments.Count ? segments[i + 1] : [], first + (ulong)i * (ulong)size.Bytes,
                (lsn, record) =>
                {
                    if (RecoveryTargetDecoder.Decode(record, lsn, size, format) is { } e)
                        events.Add(e);
                });
            Assert.False(inspection.Damaged, inspection.End);
            Assert.All(inspection.Records, r => Assert.NotEqual(false, r.CrcOk));
        }

        return events;
    }

    // The events RecoveryTargetScanner hands out for each segment, the WAL fed in pieces of 1 byte to 100 kB; only the
    // first segment, which may begin inside a record, may be incomplete.
    private static List<RecoveryTargetEvent> Scan(List<byte[]> segments, Lsn first, WalSegmentSize size)
    {
        var format = WalRecordFormat.ForPageMagic(BinaryPrimitives.ReadUInt16LittleEndian(segments[0])) ?? throw new InvalidOperationException("unknown page magic");
        var wal = segments.SelectMany(s => s).ToArray();
        var scanner = new RecoveryTargetScanner(size, format, first);
        var random = new Random(10);
        var events = new List<RecoveryTargetEvent>();
        var segment = size.SegmentOf(first);
        for (var offset = 0; offset < wal.Length;)
        {
            var length = Math.Min(random.Next(4) == 0 ? random.Next(1, 100) : random.Next(1, 100_000), wal.Length - offset);
            scanner.Append(first + (ulong)offset, wal.AsSpan(offset, length));
            offset += length;
            for (; size.StartOfSegment(segment + 1) <= scanner.Position; segment++)
            {
                var complete = scanner.TryTakeEvents(segment, out var found, out var incomplete);
                Assert.True(complete || segment == size.SegmentOf(first), incomplete);
                events.AddRange(found);
            }
        }

        Assert.False(scanner.IsStopped, scanner.StopReason);
        return events;
    }

    // What pg_waldump prints for the segments: its events, and the start of every record.
    private static async Task<(List<(RecoveryTargetKind, Lsn, uint, DateTimeOffset?, string?)> Events, List<Lsn> RecordStarts)> WaldumpAsync(
        PostgresCluster cluster, List<byte[]> segments, Lsn first, WalSegmentSize size)
    {
        var directory = Path.Combine(cluster.WorkDirectory, "pitr-wal");
        Directory.CreateDirectory(directory);
        var names = new List<string>();
        for (var i = 0; i < segments.Count; i++)
        {
            names.Add(WalFileName.Format(1, first + (ulong)i * (ulong)size.Bytes, size));
            await File.WriteAllBytesAsync(Path.Combine(directory, names[^1]), segments[i], Ct);
        }

        // pg_waldump prints times in its own time zone.
        var dump = await ProcessRunner.RunAsync("env", ["TZ=UTC", Path.Combine(PostgresCluster.BinDirectory, "pg_waldump"), "-p", directory, names[0], names[^1]],
            asServerAccount: false, Ct);
        var events = new List<(RecoveryTargetKind, Lsn, uint, DateTimeOffset?, string?)>();
        var starts = new List<Lsn>();
        foreach (Match line in Line().Matches(dump))
        {
            var lsn = Lsn.Parse(line.Groups["lsn"].Value);
            starts.Add(lsn);
            var desc = line.Groups["desc"].Value;
            if (line.Groups["rmgr"].Value == "Transaction" && Xact().Match(desc) is { Success: true } x)
            {
                var kind = x.Groups["op"].Value == "COMMIT" ? RecoveryTargetKind.Commit : RecoveryTargetKind.Abort;
                var xid = x.Groups["xid"].Success ? x.Groups["xid"].Value : line.Groups["tx"].Value;
                var time = DateTimeOffset.ParseExact(x.Groups["time"].Value, "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
                events.Add((kind, lsn, uint.Parse(xid, CultureInfo.InvariantCulture), time, null));
            }
            else if (line.Groups["rmgr"].Value == "XLOG" && desc.StartsWith("RESTORE_POINT ", StringComparison.Ordinal))
            {
                events.Add((RecoveryTargetKind.RestorePoint, lsn, uint.Parse(line.Groups["tx"].Value, CultureInfo.InvariantCulture), null, desc["RESTORE_POINT ".Length..]));
            }
        }

        Assert.True(starts.Count > 1000, $"pg_waldump listed only {starts.Count} records: {dump[..Math.Min(2000, dump.Length)]}");
        return (events, starts);
    }

    // Where the record after one that ends at end starts: MAXALIGNed, and past a page header when that lands on a page start.
    private static Lsn NextRecordStart(Lsn end, WalSegmentSize size)
    {
        var next = (end.Value + 7) & ~7UL;
        if (next % WalPageHeader.PageSize == 0)
            next += (ulong)(size.IsSegmentStart(new Lsn(next)) ? WalPageHeader.LongSize : WalPageHeader.ShortSize);
        return new Lsn(next);
    }

    private static async Task<(DateTimeOffset Now, Lsn Insert)> ClockAsync(NpgsqlConnection sql)
    {
        await using var command = new NpgsqlCommand("select now(), pg_current_wal_insert_lsn()::text", sql);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct));
        return (reader.GetFieldValue<DateTimeOffset>(0), Lsn.Parse(reader.GetString(1)));
    }

    private static async Task<uint> XidAsync(NpgsqlConnection sql) =>
        (uint)long.Parse(await ScalarAsync(sql, "select txid_current()::text"), CultureInfo.InvariantCulture);

    private static async Task<string> ScalarAsync(NpgsqlConnection sql, string text)
    {
        await using var command = new NpgsqlCommand(text, sql);
        return (string)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection sql, string text)
    {
        await using var command = new NpgsqlCommand(text, sql);
        await command.ExecuteNonQueryAsync(Ct);
    }

    [GeneratedRegex(@"^rmgr: (?<rmgr>\S+)\s+len \(rec/tot\):\s*\d+/\s*\d+, tx:\s*(?<tx>\d+), lsn: (?<lsn>[0-9A-F]+/[0-9A-F]+), prev [0-9A-F]+/[0-9A-F]+, desc: (?<desc>.*)$", RegexOptions.Multiline)]
    private static partial Regex Line();

    [GeneratedRegex(@"^(?<op>COMMIT|ABORT)(_PREPARED (?<xid>\d+):)? (?<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}) UTC")]
    private static partial Regex Xact();
}

using System.Buffers.Binary;
using System.Text;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

public sealed class RecoveryTargetScannerTests
{
    private const int PageSize = WalPageHeader.PageSize;
    private const byte Xlog = 0;
    private const byte Xact = 1;

    private static readonly WalSegmentSize Size = new(1 << 20);
    private static readonly Lsn Start = Lsn.Parse("0/3000000");
    private static readonly WalRecordFormat Pg15 = WalRecordFormat.PostgreSql15;
    private static readonly long Micros = (new DateTimeOffset(2026, 11, 28, 1, 2, 3, TimeSpan.Zero) - PostgresTimestamp.Epoch).Ticks / 10;

    private static ulong First => Size.SegmentOf(Start);

    public static TheoryData<string> Chunkings() =>
        ["segment", "page", "8191", "random 1", "random 2", "random 3", "random 4", "random 5", "small 6"];

    [Theory]
    [MemberData(nameof(Chunkings))]
    public void Events_are_those_the_inspector_and_decoder_find_whatever_the_chunking(string chunking)
    {
        var (wal, written) = Workload(seed: 11, segments: 4);
        var bytes = wal.ToArray();
        var (inspected, records) = Inspected(bytes);

        var scan = Scan(bytes, Chunks(chunking));

        Assert.True(inspected.Count > 150, $"only {inspected.Count} events in the workload");
        Assert.Equal(inspected, scan.Events);
        Assert.Equal(Expected(written), scan.Events);
        Assert.Equal(records, scan.Scanner.RecordsScanned);
        Assert.All(scan.Complete, c => Assert.True(c));
        Assert.False(scan.Scanner.IsStopped, scan.Scanner.StopReason);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void A_record_header_split_across_a_page_or_segment_boundary_is_put_together_byte_by_byte(int onFirstPage)
    {
        var wal = new WalBuilder(Size, Start, seed: 2);
        var written = new List<(Lsn, byte[])>();
        wal.Fill(Start + 20_000, maxLength: 500);
        Event(wal, written, Commit(700, subxacts: 3));
        PadTo(wal, Start + (ulong)(3 * PageSize - onFirstPage));
        var split = Event(wal, written, Commit(701, subxacts: 40));
        PadTo(wal, Start + (ulong)(5 * PageSize - onFirstPage));
        Event(wal, written, RestorePoint("split"));
        PadTo(wal, Start + (ulong)(Size.Bytes - onFirstPage));
        var acrossSegments = Event(wal, written, Commit(702, subxacts: 5)); // the rest of its header after the long page header
        wal.Record(100);
        wal.Switch();
        var bytes = wal.ToArray();

        foreach (var chunking in new[] { "bytes", "random 7", "segment" })
            Assert.Equal(Expected(written), Scan(bytes, Chunks(chunking)).Events);
        Assert.Equal(PageSize - onFirstPage, (int)(split.Value % PageSize));
        Assert.Equal(Size.Bytes - onFirstPage, Size.OffsetIn(acrossSegments));
        Assert.Equal(Expected(written), Inspected(bytes).Events);
    }

    [Theory]
    [InlineData("random 8")]
    [InlineData("segment")]
    public void An_event_record_crossing_a_segment_end_is_in_the_later_segment_and_one_ending_there_in_the_earlier(string chunking)
    {
        var wal = new WalBuilder(Size, Start, seed: 3);
        var written = new List<(Lsn, byte[])>();
        wal.Fill(Start + (ulong)(Size.Bytes - 30_000), maxLength: 2000);
        // 48 + 4n bytes with n even: a multiple of 8, so it can end exactly at the segment's end.
        var fitting = new RecordBuilder(Xact, 0x80, 800) { LongMainDataHeader = true }.Origin(1).Build(new XactData(Micros).Subxacts(1, 2).Build());
        Assert.Equal(0, fitting.Length % 8);
        PadTo(wal, Start + (ulong)(Size.Bytes - fitting.Length));
        var endingThere = Event(wal, written, fitting);
        PadTo(wal, Start + (ulong)(2 * Size.Bytes - 64));
        var crossing = Event(wal, written, Commit(801, subxacts: 100));
        wal.Fill(Start + (ulong)(2 * Size.Bytes + 20_000));
        wal.Switch();

        var scan = Scan(wal.ToArray(), Chunks(chunking));

        Assert.Equal(Expected(written), scan.Events);
        var first = Assert.Single(scan.BySegment[0]);
        Assert.Equal((endingThere, Start + (ulong)Size.Bytes), (first.Start, first.End));
        var second = Assert.Single(scan.BySegment[2]);
        Assert.Equal(crossing, second.Start);
        Assert.Empty(scan.BySegment[1]);
    }

    [Theory]
    [InlineData("random 9")]
    [InlineData("page")]
    public void A_record_longer_than_a_segment_is_in_the_segment_of_its_last_byte_and_the_others_list_nothing_of_it(string chunking)
    {
        var wal = new WalBuilder(Size, Start, seed: 4);
        var written = new List<(Lsn, byte[])>();
        wal.Fill(Start + 500_000);
        Event(wal, written, Commit(900, subxacts: 2));
        // 1.76 MB of invalidation messages: from the middle of the first segment to the third.
        var huge = Event(wal, written, new RecordBuilder(Xact, 0x80, 901).Build(new XactData(Micros).Invals(110_000).Build()));
        Event(wal, written, Commit(902));
        wal.Record(2_500_000); // not an event, and longer than two segments: stepped over
        Event(wal, written, RestorePoint("after the long ones"));
        wal.Switch();

        var scan = Scan(wal.ToArray(), Chunks(chunking));

        Assert.Equal(Expected(written), scan.Events);
        Assert.Equal(First + 2, scan.Events.Single(e => e.Start == huge).EndSegment(Size));
        Assert.Equal([1, 0, 2, 0, 1], scan.BySegment.Select(s => s.Count));
    }

    [Fact]
    public void After_a_switch_record_the_rest_of_the_segment_is_not_read_even_where_it_looks_like_records()
    {
        var wal = new WalBuilder(Size, Start, seed: 5);
        var written = new List<(Lsn, byte[])>();
        wal.Fill(Start + 10_000);
        Event(wal, written, Commit(1000));
        wal.Switch();
        Event(wal, written, Commit(1001));
        wal.Fill(Start + (ulong)Size.Bytes + 30_000);
        wal.Switch();
        var bytes = wal.ToArray();
        // A commit record in the padding, and zeros for the next page's header: to be stepped over unread.
        var ghost = Commit(6666);
        ghost.CopyTo(bytes, 40_000);
        bytes.AsSpan(5 * PageSize, 24).Fill(0xEE);

        foreach (var chunking in new[] { "random 10", "segment", "page" })
        {
            var scan = Scan(bytes, Chunks(chunking));
            Assert.Equal(Expected(written), scan.Events);
            Assert.Equal([1, 1], scan.BySegment.Select(s => s.Count));
        }
    }

    [Theory]
    [InlineData(100, "bytes")]
    [InlineData(100, "random 11")]
    [InlineData(20_000, "small 12")]
    [InlineData(20_000, "segment")]
    [InlineData(1_500_000, "random 13")]
    public void A_stream_starting_inside_a_record_skips_its_tail_and_says_the_segment_where_it_ends_may_lack_it(int tail, string chunking)
    {
        var wal = new WalBuilder(Size, Start, seed: 6).Continuation(tail);
        var written = new List<(Lsn, byte[])>();
        Event(wal, written, Commit(1100));
        wal.Fill(wal.End + 30_000);
        Event(wal, written, RestorePoint("after the tail"));
        wal.Switch();
        var tailEnd = Size.SegmentOf(Start + (ulong)tail) - First;

        var scan = Scan(wal.ToArray(), Chunks(chunking));

        Assert.Equal(Expected(written), scan.Events);
        Assert.Equal(Enumerable.Range(0, scan.Complete.Count).Select(i => i != (int)tailEnd), scan.Complete);
        Assert.Contains("continued from before the stream's start", scan.Reasons[(int)tailEnd], StringComparison.Ordinal);
        Assert.Equal(Inspected(wal.ToArray()).Events, scan.Events);
    }

    [Fact]
    public void A_record_the_server_abandoned_is_dropped_and_the_records_written_over_it_are_read()
    {
        // Both builders write the same WAL up to the abandoned record's start; the second then ends a record at the page's
        // end, so its next page starts with records, as the server's is after it gave up a record.
        var written = new List<(Lsn, byte[])>();
        var abandoning = Prefix(new WalBuilder(Size, Start, seed: 7), written);
        var replacing = Prefix(new WalBuilder(Size, Start, seed: 7), []);
        var page = Start + (ulong)(6 * PageSize);
        var abandoned = Start + (ulong)(6 * PageSize - 200);
        PadTo(abandoning, abandoned);
        abandoning.Chained(Commit(1200, subxacts: 500));
        PadTo(replacing, abandoned);
        PadTo(replacing, page + WalPageHeader.ShortSize);
        Event(replacing, written, RestorePoint("over it"));
        replacing.Fill(page + 20_000);
        replacing.Switch();
        var bytes = replacing.ToArray();
        abandoning.ToArray().AsSpan(0, replacing.OffsetOf(page)).CopyTo(bytes);
        bytes[replacing.OffsetOf(page) + 2] |= (byte)WalPageHeader.FirstIsOverwriteContRecord;

        Assert.Equal(Expected(written), Scan(bytes, Chunks("random 14")).Events);
        Assert.Equal(Expected(written), Scan(bytes, Chunks("segment")).Events);

        static WalBuilder Prefix(WalBuilder wal, List<(Lsn, byte[])> written)
        {
            wal.Fill(Start + 30_000);
            Event(wal, written, Commit(1199));
            return wal;
        }
    }

    [Fact]
    public void Zeros_where_a_record_should_start_end_the_scan_with_the_events_before_them()
    {
        var wal = new WalBuilder(Size, Start, seed: 8);
        var written = new List<(Lsn, byte[])>();
        wal.Fill(Start + 50_000);
        Event(wal, written, Commit(1300));
        var end = wal.End;
        wal.Zeros(Size.Bytes - wal.OffsetOf(end));

        var scan = Scan(wal.ToArray(), Chunks("random 15"));

        Assert.Equal(Expected(written), scan.Events);
        Assert.Equal([false], scan.Complete);
        Assert.True(scan.Scanner.IsStopped);
        Assert.Equal(end, scan.Scanner.CompleteUpTo);
        Assert.Equal(Start + (ulong)Size.Bytes, scan.Scanner.Position);
        Assert.Contains($"no record at {end}: xl_tot_len 0", scan.Scanner.StopReason, StringComparison.Ordinal);
        Assert.Contains("the end of the WAL written", scan.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_page_of_zeros_where_a_record_continues_ends_the_scan_at_the_records_start()
    {
        var wal = new WalBuilder(Size, Start, seed: 9);
        var written = new List<(Lsn, byte[])>();
        wal.Fill(Start + 20_000, maxLength: 200);
        Event(wal, written, Commit(1400));
        PadTo(wal, Start + (ulong)(4 * PageSize - 200));
        var cut = Event(wal, written, Commit(1401, subxacts: 200));
        wal.Fill(Start + 60_000);
        wal.Switch();
        var bytes = wal.ToArray();
        bytes.AsSpan(4 * PageSize).Clear();

        var scan = Scan(bytes, Chunks("random 16"));

        Assert.Equal(Expected(written)[..^1], scan.Events);
        Assert.Equal(cut, scan.Scanner.CompleteUpTo);
        Assert.Contains($"no page header at {Start + (ulong)(4 * PageSize)}", scan.Scanner.StopReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 10u, "xl_tot_len 10")]
    [InlineData(0, 0xFFFF_FFF0u, "xl_tot_len 4294967280")]
    [InlineData(8, 0x10u, "xl_prev 0/10")]
    public void A_record_header_that_is_not_wal_ends_the_scan_at_that_record(int field, uint value, string reason)
    {
        var wal = new WalBuilder(Size, Start, seed: 10);
        var written = new List<(Lsn, byte[])>();
        wal.Fill(Start + 20_000);
        Event(wal, written, Commit(1500));
        var bad = wal.Record(300);
        Event(wal, written, Commit(1501));
        wal.Switch();
        var bytes = wal.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(wal.OffsetOf(bad) + field), value);

        foreach (var chunking in new[] { "random 17", "segment", "bytes" })
        {
            var scan = Scan(bytes, Chunks(chunking));
            Assert.Equal(Expected(written)[..^1], scan.Events);
            Assert.Equal(bad, scan.Scanner.CompleteUpTo);
            Assert.Contains($"the record at {bad} has {reason}", scan.Scanner.StopReason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_page_header_that_does_not_fit_the_records_before_it_ends_the_scan()
    {
        var wal = new WalBuilder(Size, Start, seed: 11);
        wal.Fill(Start + 40_000, maxLength: 5000);
        wal.Switch();
        var clean = wal.ToArray();
        var cases = new (int Offset, Action<byte[]> Change, string Reason)[]
        {
            (3 * PageSize, b => b[3 * PageSize + 8] ^= 0x20, "xlp_pageaddr"),
            (2 * PageSize, b => b[2 * PageSize + 16] ^= 0x01, "xlp_rem_len"),
            (PageSize, b => b[PageSize + 2] ^= 0x01, "xlp_info"),
            (4 * PageSize, b => b[4 * PageSize + 2] |= 0x09, "both XLP_FIRST_IS_CONTRECORD and XLP_FIRST_IS_OVERWRITE_CONTRECORD"),
        };
        foreach (var (offset, change, reason) in cases)
        {
            var bytes = (byte[])clean.Clone();
            change(bytes);
            var scan = Scan(bytes, Chunks("random 18"));
            Assert.Contains(reason, scan.Scanner.StopReason, StringComparison.Ordinal);
            Assert.True(scan.Scanner.CompleteUpTo <= Start + (ulong)offset);
        }
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(WalStreamVerifier.MaxRecordSize + 1)]
    public void A_first_page_continuing_a_record_that_cannot_be_ends_the_scan_at_the_start(uint remaining)
    {
        var wal = new WalBuilder(Size, Start, seed: 14).Continuation(100);
        wal.Fill(Start + 20_000);
        wal.Switch();
        var bytes = wal.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), remaining);

        var scan = Scan(bytes, Chunks("random 19"));

        Assert.Equal(Start, scan.Scanner.CompleteUpTo);
        Assert.Contains($"XLP_FIRST_IS_CONTRECORD with xlp_rem_len {remaining}", scan.Scanner.StopReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Damaged_wal_gives_the_same_events_up_to_the_damage_and_no_exception_but_a_format_exception()
    {
        var (wal, _) = Workload(seed: 12, segments: 1);
        var clean = wal.ToArray();
        var cleanEvents = Scan(clean, Chunks("segment")).Events;
        var random = new Random(12);
        var formatExceptions = 0;
        for (var i = 0; i < 300; i++)
        {
            var bytes = (byte[])clean.Clone();
            var firstDamage = int.MaxValue;
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                // Mostly where the scanner looks: record headers and page headers.
                var at = random.Next(3) == 0 ? random.Next(bytes.Length) : random.Next(bytes.Length / PageSize) * PageSize + random.Next(64);
                bytes[at] = (byte)random.Next(256);
                firstDamage = Math.Min(firstDamage, at);
            }

            var scanner = new RecoveryTargetScanner(Size, Pg15, Start);
            foreach (var (offset, length) in Chunks($"random {i}")(bytes.Length))
            {
                try
                {
                    scanner.Append(Start + (ulong)offset, bytes.AsSpan(offset, length));
                }
                catch (FormatException)
                {
                    formatExceptions++;
                    Assert.True(scanner.IsStopped);
                }
            }

            // Before the first damaged byte, the walk is the same: so are the events whose records end there.
            scanner.TryTakeEvents(First, out var found, out _);
            var before = Start + (ulong)firstDamage;
            Assert.Equal(cleanEvents.Where(e => e.End <= before), found.Where(e => e.End <= before));
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{formatExceptions} of 300 damaged streams had an event record the decoder rejected");
    }

    [Fact]
    public void A_malformed_event_record_is_a_format_exception_that_stops_the_scan_and_takes_the_data()
    {
        var wal = new WalBuilder(Size, Start, seed: 13);
        var written = new List<(Lsn, byte[])>();
        wal.Fill(Start + 20_000);
        Event(wal, written, Commit(1600));
        var malformed = wal.Chained(new RecordBuilder(Xlog, 0x70).Build(new byte[71])); // xl_restore_point has 72 bytes
        Event(wal, written, Commit(1601));
        wal.Switch();
        var bytes = wal.ToArray();
        var scanner = new RecoveryTargetScanner(Size, Pg15, Start);

        var e = Assert.Throws<FormatException>(() => scanner.Append(Start, bytes.AsSpan(0, 100_000)));
        scanner.Append(Start + 100_000, bytes.AsSpan(100_000));

        Assert.Contains($"XLOG_RESTORE_POINT record at {malformed}", e.Message, StringComparison.Ordinal);
        Assert.True(scanner.IsStopped);
        Assert.Equal(e.Message, scanner.StopReason);
        Assert.Equal(malformed, scanner.CompleteUpTo);
        Assert.Equal(Start + (ulong)bytes.Length, scanner.Position);
        Assert.False(scanner.TryTakeEvents(First, out var events, out var why));
        Assert.Equal(Expected(written)[..1], events);
        Assert.Contains("scanning stopped before the segment's end", why, StringComparison.Ordinal);
    }

    [Fact]
    public void Records_are_walked_without_allocating_and_event_records_split_across_pages_reuse_one_buffer()
    {
        var wal = new WalBuilder(Size, Start, seed: 15);
        var random = new Random(15);
        for (var i = 0; wal.End < Start + (ulong)(4 * Size.Bytes); i++)
        {
            wal.Record(random.Next(24, random.Next(10) == 0 ? 30_000 : 300), rmid: (byte)random.Next(12), info: 0x10);
            // Commits across page boundaries: copied, each into the same buffer.
            if (i % 20 == 0)
                wal.Chained(Commit(42, subxacts: 1000));
        }

        wal.Switch();
        var bytes = wal.ToArray();
        var chunks = Chunks("random 20")(bytes.Length).ToArray();
        var half = chunks.Count(c => c.Offset < 2 * Size.Bytes);
        var warm = new RecoveryTargetScanner(Size, Pg15, Start);
        Append(warm, chunks); // compiles what runs

        // The second half, once the first has grown the buffer and the list of events, the events of its end taken.
        var scanner = new RecoveryTargetScanner(Size, Pg15, Start);
        var (firstHalf, secondHalf) = (chunks[..half], chunks[half..]);
        Append(scanner, firstHalf);
        scanner.TryTakeEvents(First + 1, out var taken, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Append(scanner, secondHalf);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.False(scanner.IsStopped, scanner.StopReason);
        Assert.InRange(taken.Count, 20, 100);
        Assert.InRange(scanner.RecordsScanned, 1000, long.MaxValue);
        Assert.Equal(0, allocated);

        void Append(RecoveryTargetScanner s, (int Offset, int Length)[] some)
        {
            foreach (var (offset, length) in some)
                s.Append(Start + (ulong)offset, bytes.AsSpan(offset, length));
        }
    }

    [Fact]
    public void Data_must_follow_on_and_a_segment_is_taken_only_once_passed()
    {
        Assert.Throws<ArgumentException>(() => new RecoveryTargetScanner(Size, Pg15, Start + PageSize));
        var scanner = new RecoveryTargetScanner(Size, Pg15, Start);
        var bytes = new WalBuilder(Size, Start).Fill(Start + 20_000).ToArray();
        scanner.Append(Start, bytes.AsSpan(0, 1000));

        Assert.Throws<ArgumentException>(() => scanner.Append(Start + 999, bytes.AsSpan(999)));
        Assert.Throws<ArgumentOutOfRangeException>(() => scanner.TryTakeEvents(First, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => scanner.TryTakeEvents(First - 1, out _, out _));
        Assert.Equal(Start + 1000, scanner.Position);
    }

    // Random WAL of some segments, ended by a switch record: filler records of every size (some across pages, one across
    // segments), records of XLOG and Transaction that are not events, and events of every kind, some across pages.
    private static (WalBuilder Wal, List<(Lsn, byte[])> Written) Workload(int seed, int segments)
    {
        var random = new Random(seed);
        var wal = new WalBuilder(Size, Start, seed);
        var written = new List<(Lsn, byte[])>();
        var end = Start + (ulong)(segments * Size.Bytes - 50_000);
        var big = Start + (ulong)(Size.Bytes / 2);
        while (wal.End < end)
        {
            var dice = random.Next(100);
            if (dice < 60)
                wal.Record(random.Next(24, random.Next(10) == 0 ? 30_000 : 400));
            else if (dice < 65)
                // Transaction's PREPARE and ASSIGNMENT, XLOG's CHECKPOINT_ONLINE and NOOP: not events.
                wal.Record(random.Next(24, 2000), rmid: (byte)random.Next(2), info: (byte)(random.Next(2) == 0 ? 0x10 : 0x50));
            else
                Event(wal, written, RandomEvent(random));
            if (segments > 1 && wal.End > big)
            {
                wal.Record(Size.Bytes + 100_000, rmid: 10);
                big = end;
            }
        }

        wal.Switch();
        return (wal, written);
    }

    private static byte[] RandomEvent(Random random)
    {
        var xid = (uint)random.Next(3, 1_000_000);
        var time = Micros + random.Next();
        // Now and then thousands of subtransactions: a record over several pages.
        var data = new XactData(time).Subxacts([.. Enumerable.Range(1, random.Next(4) == 0 ? random.Next(1, 3000) : 0).Select(i => (uint)i)]);
        return random.Next(5) switch
        {
            0 => RestorePoint($"point {xid}"),
            1 => new RecordBuilder(Xact, data.Info(0x20), xid).Build(data.Build()),
            2 => Prepared(0x30, new XactData(time).DbInfo().Invals(random.Next(3)).TwoPhase(xid)),
            3 => Prepared(0x40, new XactData(time).RelFileNodes(random.Next(3)).TwoPhase(xid)),
            _ => new RecordBuilder(Xact, 0x80, xid).Block(0, [1, 2, 3]).Build(data.Flags(1u << 31).Build()),
        };

        static byte[] Prepared(byte operation, XactData data) => new RecordBuilder(Xact, data.Info(operation)).Build(data.Build());
    }

    private static byte[] Commit(uint xid, int subxacts = 0) =>
        new RecordBuilder(Xact, 0x80, xid).Build(new XactData(Micros).Subxacts([.. Enumerable.Range(1, subxacts).Select(i => (uint)i)]).Build());

    private static byte[] RestorePoint(string name)
    {
        var data = new byte[72];
        BinaryPrimitives.WriteInt64LittleEndian(data, Micros);
        Encoding.UTF8.GetBytes(name).CopyTo(data, 8);
        return new RecordBuilder(Xlog, 0x70).Build(data);
    }

    private static Lsn Event(WalBuilder wal, List<(Lsn, byte[])> written, byte[] record)
    {
        var start = wal.Chained(record);
        written.Add((start, record));
        return start;
    }

    // What the decoder makes of the event records written, each whole.
    private static List<RecoveryTargetEvent> Expected(List<(Lsn Start, byte[] Record)> written) =>
        [.. written.Select(w => RecoveryTargetDecoder.Decode(w.Record, w.Start, Size, Pg15)!.Value)];

    // Writes filler records so that the next record starts at target (MAXALIGNed, past any page header).
    private static void PadTo(WalBuilder wal, Lsn target)
    {
        while (true)
        {
            var at = wal.End.Value;
            if (at % PageSize == 0)
                at += (ulong)(Size.IsSegmentStart(wal.End) ? WalPageHeader.LongSize : WalPageHeader.ShortSize);
            if (at == target.Value)
                return;
            Assert.True(at < target.Value, $"already past {target}");
            var pageEnd = (at / PageSize + 1) * PageSize;
            var gap = (int)((target.Value < pageEnd ? target.Value : pageEnd) - at);
            wal.Record(gap >= WalStreamVerifier.RecordHeaderSize || target.Value < pageEnd ? gap : gap + WalStreamVerifier.RecordHeaderSize);
        }
    }

    // What WalSegmentInspector and the decoder find segment by segment, each with the segment after it; and how many records.
    private static (List<RecoveryTargetEvent> Events, long Records) Inspected(byte[] wal)
    {
        var events = new List<RecoveryTargetEvent>();
        long records = 0;
        for (var offset = 0; offset < wal.Length; offset += Size.Bytes)
        {
            var next = wal.AsSpan(Math.Min(offset + Size.Bytes, wal.Length));
            next = next[..Math.Min(next.Length, Size.Bytes)];
            var inspection = WalSegmentInspector.Inspect(wal.AsSpan(offset, Size.Bytes), next, Start + (ulong)offset,
                (lsn, record) =>
                {
                    if (RecoveryTargetDecoder.Decode(record, lsn, Size, Pg15) is { } e)
                        events.Add(e);
                });
            records += inspection.Records.Count;
        }

        return (events, records);
    }

    // Chunk sizes by name: whole segments, pages, 8191 bytes, every byte, random (seeded) from 1 byte to 200 kB, or small
    // random (1 to 64 bytes).
    private static Func<int, IEnumerable<(int Offset, int Length)>> Chunks(string name) => total =>
    {
        var parts = name.Split(' ');
        var random = new Random(parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 0);
        Func<int> next = parts[0] switch
        {
            "segment" => () => Size.Bytes,
            "page" => () => PageSize,
            "bytes" => () => 1,
            "small" => () => random.Next(1, 65),
            "random" => () => random.Next(4) switch
            {
                0 => random.Next(1, 50),
                1 => random.Next(1, 10_000),
                _ => random.Next(1, 200_000),
            },
            _ => () => int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture),
        };
        return Split(total, next);
    };

    private static IEnumerable<(int Offset, int Length)> Split(int total, Func<int> next)
    {
        for (var offset = 0; offset < total;)
        {
            var length = Math.Min(next(), total - offset);
            yield return (offset, length);
            offset += length;
        }
    }

    // Feeds the WAL in chunks and takes each segment's events as soon as the stream has passed its end, as the streaming
    // loop does.
    private static ScanResult Scan(byte[] wal, Func<int, IEnumerable<(int Offset, int Length)>> chunks)
    {
        var scanner = new RecoveryTargetScanner(Size, Pg15, Start);
        var result = new ScanResult(scanner);
        var segment = First;
        foreach (var (offset, length) in chunks(wal.Length))
        {
            scanner.Append(Start + (ulong)offset, wal.AsSpan(offset, length));
            for (; Size.StartOfSegment(segment + 1) <= scanner.Position; segment++)
            {
                var complete = scanner.TryTakeEvents(segment, out var events, out var why);
                Assert.All(events, e => Assert.Equal(segment, e.EndSegment(Size)));
                result.Events.AddRange(events);
                result.BySegment.Add(events);
                result.Complete.Add(complete);
                result.Reasons.Add(why);
            }
        }

        return result;
    }

    private sealed record ScanResult(RecoveryTargetScanner Scanner)
    {
        public List<RecoveryTargetEvent> Events { get; } = [];

        public List<IReadOnlyList<RecoveryTargetEvent>> BySegment { get; } = [];

        public List<bool> Complete { get; } = [];

        public List<string?> Reasons { get; } = [];
    }
}

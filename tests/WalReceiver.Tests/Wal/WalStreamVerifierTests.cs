using System.Buffers.Binary;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

public sealed class WalStreamVerifierTests
{
    private static readonly WalSegmentSize OneMb = new(1 << 20);

    [Fact]
    public void Real_xlog_nextoid_record_verifies_after_its_predecessor()
    {
        var wal = new WalBuilder(WalSegmentSize.Default, Lsn.Parse("0/1000000"));
        Assert.Equal(Lsn.Parse("0/1000028"), wal.Record(0xA0 - 0x28));
        Assert.Equal(Lsn.Parse("0/10000A0"), wal.Raw(Crc32CTests.NextOidRecord()));
        var verifier = Verifier(wal, WalSegmentSize.Default);

        Assert.Null(verifier.Append(wal.Start, wal.ToArray()));
        Assert.Equal(2, verifier.RecordsChecked);
        Assert.Equal(wal.End, verifier.VerifiedUpTo);
    }

    [Fact]
    public void Records_spanning_pages_and_a_segment_boundary_verify()
    {
        var wal = new WalBuilder(OneMb, Lsn.Parse("0/3000000")).Fill(Lsn.Parse("0/30FF000"));
        var spanning = wal.Record(40_000);
        wal.Fill(Lsn.Parse("0/3104000"));
        var verifier = Verifier(wal);

        Assert.Null(verifier.Append(wal.Start, wal.ToArray()));
        Assert.True(OneMb.SegmentOf(spanning) < OneMb.SegmentOf(spanning + 40_000));
        Assert.Equal(wal.Records.Count, verifier.RecordsChecked);
        Assert.Equal(wal.End, verifier.VerifiedUpTo);
    }

    [Fact]
    public void Verifying_records_that_span_pages_allocates_nothing()
    {
        // Every page a record continues onto is checked against the record: a message built for each (even one never
        // reported) was 14 MB of garbage per GB of WAL, and the receiver's peak RSS grew by the GC's budget for it.
        var wal = new WalBuilder(OneMb, Lsn.Parse("0/3000000")).Fill(Lsn.Parse("0/30F0000"), maxLength: 20_000);
        var bytes = wal.ToArray();
        var warm = Verifier(wal);
        Assert.Null(warm.Append(wal.Start, bytes.AsSpan(0, 64 * 1024))); // first calls may initialize statics
        var verifier = Verifier(wal);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var offset = 0; offset < bytes.Length; offset += 128 * 1024)
            Assert.Null(verifier.Append(new Lsn(wal.Start.Value + (ulong)offset), bytes.AsSpan(offset, Math.Min(128 * 1024, bytes.Length - offset))));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(wal.End, verifier.VerifiedUpTo);
        Assert.True(wal.Records.Count > 20 && bytes.Length / 8192 > 100, "the WAL spans many pages and records");
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Switch_record_is_followed_by_zeros_to_the_segment_end_then_the_next_segment()
    {
        var wal = new WalBuilder(OneMb, Lsn.Parse("0/3000000")).Fill(Lsn.Parse("0/3020000"));
        wal.Switch();
        Assert.Equal(Lsn.Parse("0/3100000"), wal.End);
        var next = wal.Record(100);
        wal.Fill(Lsn.Parse("0/3108000"));
        var verifier = Verifier(wal);

        Assert.Null(verifier.Append(wal.Start, wal.ToArray()));
        Assert.Equal(Lsn.Parse("0/3100028"), next);
        Assert.Equal(wal.Records.Count, verifier.RecordsChecked);
    }

    [Fact]
    public void Stream_starting_inside_a_record_skips_its_tail_across_pages()
    {
        var wal = new WalBuilder(OneMb, Lsn.Parse("0/3000000")).Continuation(20_001);
        var first = wal.Record(64);
        wal.Fill(Lsn.Parse("0/3010000"));
        var verifier = Verifier(wal);

        Assert.Null(verifier.Append(wal.Start, wal.ToArray()));
        Assert.Equal(Lsn.Parse("0/3000000") + 40 + 24 + 24 + 20_008, first);
        Assert.Equal(wal.Records.Count, verifier.RecordsChecked);
    }

    [Fact]
    public void Every_chunking_gives_the_same_result()
    {
        var wal = Sample(out _);
        var bytes = wal.ToArray();
        var whole = Verifier(wal);
        Assert.Null(whole.Append(wal.Start, bytes));
        Assert.Equal(wal.Records.Count, whole.RecordsChecked);

        foreach (var chunks in Chunkings(bytes.Length))
        {
            var verifier = Verifier(wal);
            Assert.Null(Feed(verifier, wal.Start, bytes, chunks));
            Assert.Equal(whole.RecordsChecked, verifier.RecordsChecked);
            Assert.Equal(whole.VerifiedUpTo, verifier.VerifiedUpTo);
        }
    }

    [Fact]
    public void Verified_up_to_stops_at_the_start_of_an_incomplete_record()
    {
        var wal = new WalBuilder(OneMb, Lsn.Parse("0/3000000"));
        wal.Record(100);
        var big = wal.Record(20_000);
        var bytes = wal.ToArray();
        var verifier = Verifier(wal);

        Assert.Null(verifier.Append(wal.Start, bytes.AsSpan(0, wal.OffsetOf(big) + 10_000)));
        Assert.Equal(big, verifier.VerifiedUpTo);
        Assert.Equal(1, verifier.RecordsChecked);
        Assert.Null(verifier.Append(verifier.Position, bytes.AsSpan(wal.OffsetOf(big) + 10_000)));
        Assert.Equal(wal.End, verifier.VerifiedUpTo);
    }

    [Fact]
    public void Flipping_a_record_byte_reports_a_CRC_mismatch_or_bad_xl_prev_at_that_record()
    {
        var wal = Sample(out _);
        var bytes = wal.ToArray();
        var random = new Random(11);
        var positions = PageDataPositionsOfRecords(wal).ToList();
        foreach (var (position, record, within) in Enumerable.Range(0, 300).Select(_ => positions[random.Next(positions.Count)]))
        {
            var damaged = (byte[])bytes.Clone();
            damaged[wal.OffsetOf(position)] ^= (byte)(1 << random.Next(8));
            var error = Feed(Verifier(wal), wal.Start, damaged, RandomChunks(damaged.Length, random));

            Assert.NotNull(error);
            Assert.True(record == error.Lsn, $"flip at {position} (header byte {within} of the record at {record}): {error}");
            Assert.Contains(within is >= 8 and < 16 ? "xl_prev" : "record CRC mismatch", error.Problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_flipped_byte_is_reported_except_in_the_skipped_continuation()
    {
        const int tail = 9000;
        var wal = new WalBuilder(OneMb, Lsn.Parse("0/3000000"), seed: 5).Continuation(tail);
        wal.Record(30);
        wal.Record(8100); // across a page: a continuation page header with xlp_rem_len
        wal.Fill(Lsn.Parse("0/3007000"), maxLength: 700);
        var bytes = wal.ToArray();
        var skipped = SkippedContinuation(wal, tail);
        // A longer xl_tot_len can reach past the end of the stream: the record then waits for more WAL, unverified.
        var lengthFields = wal.Records.SelectMany(r => Enumerable.Range(1, 3).Select(i => r.Start + (ulong)i)).ToHashSet();
        var random = new Random(12);
        var missed = new List<string>();
        for (var offset = 0; offset < bytes.Length; offset++)
        {
            var position = wal.Start + (ulong)offset;
            var mask = (byte)(1 << random.Next(8));
            if (InPage(position) == 2 && mask == WalPageHeader.BackupRemovable)
                mask = 1; // XLP_BKP_REMOVABLE: the server sets or clears it on any page, nothing can tell a flip
            bytes[offset] ^= mask;
            var verifier = Verifier(wal);
            var error = verifier.Append(wal.Start, bytes);
            bytes[offset] ^= mask;

            if (skipped.Contains(position))
                Assert.Null(error); // the tail of a record begun before the stream: no CRC of it is in sight
            else if (error is null && !(lengthFields.Contains(position) && verifier.VerifiedUpTo <= position))
                missed.Add($"{position} ^ 0x{mask:X2} (verified up to {verifier.VerifiedUpTo})");
        }

        Assert.True(skipped.Count > 0 && skipped.Count < tail + 1);
        Assert.Empty(missed);
    }

    [Fact]
    public void Non_zero_alignment_padding_is_reported_at_its_byte()
    {
        var wal = new WalBuilder(OneMb, Lsn.Parse("0/3000000")).Fill(Lsn.Parse("0/3001000"));
        var record = wal.Record(61); // 3 bytes of padding after it
        wal.Fill(Lsn.Parse("0/3002000"));
        var bytes = wal.ToArray();
        var padding = record + 62;
        bytes[wal.OffsetOf(padding)] = 0x40;
        var verifier = Verifier(wal);

        var error = verifier.Append(wal.Start, bytes);

        Assert.Equal(padding, error?.Lsn);
        Assert.Equal($"non-zero byte 0x40 in the alignment padding after the record at {record}", error?.Problem);
        Assert.Equal(padding, verifier.VerifiedUpTo);
    }

    [Fact]
    public void Non_zero_padding_after_a_continuation_skipped_at_the_start_is_reported()
    {
        var wal = new WalBuilder(OneMb, Lsn.Parse("0/3000000")).Continuation(1001);
        var first = wal.Record(64);
        var bytes = wal.ToArray();
        bytes[wal.OffsetOf(first) - 1] = 0x01;

        var error = Verifier(wal).Append(wal.Start, bytes);

        Assert.Equal(new Lsn(first.Value - 1), error?.Lsn);
        Assert.Equal("non-zero byte 0x01 in the alignment padding after the record continued from before the stream's start", error?.Problem);
    }

    /// <summary>Bytes after a switch record: in its own page, in a later page's header and body, the segment's last byte.</summary>
    [Theory]
    [InlineData(-1, 0)]
    [InlineData(3, 0)]
    [InlineData(3, 2)]
    [InlineData(3, 9)]
    [InlineData(3, 16)]
    [InlineData(3, 21)]
    [InlineData(3, 5000)]
    [InlineData(127, 8191)]
    public void Non_zero_switch_padding_is_reported_at_its_byte(int page, int inPage)
    {
        var wal = new WalBuilder(OneMb, Lsn.Parse("0/3000000")).Fill(Lsn.Parse("0/3005000"));
        var @switch = wal.Switch();
        wal.Fill(Lsn.Parse("0/3102000"));
        var bytes = wal.ToArray();
        var at = page < 0 ? @switch + 30 : Lsn.Parse("0/3000000") + (ulong)((page * WalPageHeader.PageSize) + inPage);
        Assert.True(at >= @switch + 24 && at < Lsn.Parse("0/3100000"));
        Assert.Equal(0, bytes[wal.OffsetOf(at)]);
        Assert.Null(Verifier(wal).Append(wal.Start, bytes));
        bytes[wal.OffsetOf(at)] = 0x80;

        var error = Verifier(wal).Append(wal.Start, bytes);

        Assert.Equal(at, error?.Lsn);
        Assert.Equal($"non-zero byte 0x80 in the padding after the switch record at {@switch}", error?.Problem);
    }

    [Fact]
    public void Switch_padding_may_keep_the_page_headers_older_servers_write_but_they_are_checked()
    {
        var wal = new WalBuilder(OneMb, Lsn.Parse("0/3000000")).Fill(Lsn.Parse("0/3005000"));
        wal.Switch();
        wal.Fill(Lsn.Parse("0/3102000"));
        var bytes = wal.ToArray();
        for (var page = Lsn.Parse("0/3006000"); page < Lsn.Parse("0/3100000"); page += WalPageHeader.PageSize)
        {
            var header = bytes.AsSpan(wal.OffsetOf(page));
            BinaryPrimitives.WriteUInt16LittleEndian(header, WalBuilder.Magic);
            BinaryPrimitives.WriteUInt16LittleEndian(header[2..], WalPageHeader.BackupRemovable);
            BinaryPrimitives.WriteUInt32LittleEndian(header[4..], 1);
            BinaryPrimitives.WriteUInt64LittleEndian(header[8..], page.Value);
        }

        Assert.Null(Verifier(wal).Append(wal.Start, bytes));
        var damaged = Lsn.Parse("0/3008000");
        bytes[wal.OffsetOf(damaged) + 16] = 0x01;
        var error = Verifier(wal).Append(wal.Start, bytes);
        Assert.Equal(damaged, error?.Lsn);
        Assert.StartsWith("xlp_rem_len 1 without XLP_FIRST_IS_CONTRECORD", error?.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_length_is_reported_at_the_record()
    {
        var wal = Sample(out var small);
        var bytes = wal.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(wal.OffsetOf(small)), 12);

        var error = Verifier(wal).Append(wal.Start, bytes);

        Assert.Equal(small, error?.Lsn);
        Assert.Equal("xl_tot_len 12 is below the record header size (24)", error?.Problem);
    }

    [Theory]
    [InlineData(0, "page header magic 0x0000, expected 0xD110")]
    [InlineData(8, "xlp_pageaddr 0/3000000, expected 0/3002000")]
    [InlineData(2, "xlp_info 0x0000 lacks XLP_FIRST_IS_CONTRECORD")]
    public void Bad_page_header_is_reported_at_its_page(int field, string problem)
    {
        var wal = Spanning(out var page, out _);
        var bytes = wal.ToArray();
        var at = wal.OffsetOf(page) + field;
        switch (field)
        {
            case 0: BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), 0); break;
            case 8: BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), 0x3000000); break;
            default: BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), 0x0000); break;
        }

        var error = Verifier(wal).Append(wal.Start, bytes);

        Assert.Equal(page, error?.Lsn);
        Assert.StartsWith(problem, error?.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Remaining_length_that_disagrees_with_the_pending_record_is_reported()
    {
        var wal = Spanning(out var page, out var record);
        var bytes = wal.ToArray();
        var rem = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(wal.OffsetOf(page) + 16));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(wal.OffsetOf(page) + 16), rem + 8);

        var error = Verifier(wal).Append(wal.Start, bytes);

        Assert.Equal(page, error?.Lsn);
        Assert.Equal($"xlp_rem_len {rem + 8}, expected {rem} (the bytes the record at {record} still misses)", error?.Problem);
    }

    [Fact]
    public void Segment_of_another_cluster_is_reported_at_its_first_page()
    {
        var wal = new WalBuilder(OneMb, Lsn.Parse("0/3000000")).Fill(Lsn.Parse("0/3001000"));
        var verifier = new WalStreamVerifier(OneMb, WalBuilder.SystemId + 1, 1, wal.Start, WalBuilder.Magic);

        var error = verifier.Append(wal.Start, wal.ToArray());

        Assert.Equal(wal.Start, error?.Lsn);
        Assert.StartsWith($"xlp_sysid {WalBuilder.SystemId}, expected {WalBuilder.SystemId + 1}", error?.Problem, StringComparison.Ordinal);
        Assert.Equal(wal.Start, verifier.VerifiedUpTo);
    }

    [Fact]
    public void Timeline_above_the_streams_is_reported_but_a_switch_inside_a_segment_is_not()
    {
        var wal = new WalBuilder(OneMb, Lsn.Parse("0/3000000")) { Timeline = 1 }.Fill(Lsn.Parse("0/3004000"));
        wal.Timeline = 2;
        wal.Fill(Lsn.Parse("0/3008000"));
        wal.Timeline = 3;
        wal.Fill(Lsn.Parse("0/300C000"));

        Assert.Null(Verifier(wal, timeline: 3).Append(wal.Start, wal.ToArray()));
        var error = Verifier(wal, timeline: 2).Append(wal.Start, wal.ToArray());
        Assert.Equal("xlp_tli 3 is later than the stream's timeline 2", error?.Problem);
        Assert.True(error?.Lsn > Lsn.Parse("0/3008000") && error?.Lsn <= Lsn.Parse("0/300A000"), error?.ToString());
        Assert.Equal(0, (int)(error!.Lsn.Value % WalPageHeader.PageSize));
    }

    [Fact]
    public void Zeros_where_a_record_should_start_end_a_file_but_fail_a_stream()
    {
        var wal = new WalBuilder(OneMb, Lsn.Parse("0/3000000")).Fill(Lsn.Parse("0/3005000"));
        var end = wal.End;
        wal.Zeros((int)(Lsn.Parse("0/3100000").Value - end.Value));

        var stream = Verifier(wal).Append(wal.Start, wal.ToArray());
        var file = new WalStreamVerifier(OneMb, WalBuilder.SystemId, 1, wal.Start, null) { AcceptEndOfWal = true };

        Assert.Equal(end, stream?.Lsn);
        Assert.StartsWith("xl_tot_len 0", stream?.Problem, StringComparison.Ordinal);
        Assert.Null(file.Append(wal.Start, wal.ToArray()));
        Assert.Equal(end, file.EndOfWal);
        Assert.Equal(wal.Records.Count, file.RecordsChecked);
    }

    [Fact]
    public void Unknown_magic_is_learned_from_the_first_page_and_required_of_the_rest()
    {
        var wal = Spanning(out var page, out _);
        var bytes = wal.ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(wal.OffsetOf(page)), 0xD113);

        var error = new WalStreamVerifier(OneMb, WalBuilder.SystemId, 1, wal.Start, null).Append(wal.Start, bytes);

        Assert.Equal(page, error?.Lsn);
        Assert.Equal("page header magic 0xD113, expected 0xD110", error?.Problem);
    }

    [Fact]
    public void Error_string_names_the_LSN() =>
        Assert.Equal("at LSN 0/3000000: bad", new WalVerificationError(Lsn.Parse("0/3000000"), "bad").ToString());

    [Theory]
    [InlineData(15, 0xD110)]
    [InlineData(18, 0xD118)]
    [InlineData(13, 0xD106)]
    public void Page_magic_of_known_versions(int major, int magic) => Assert.Equal((ushort)magic, WalPageMagic.ForMajorVersion(major));

    [Fact]
    public void Page_magic_of_an_unknown_version_is_null() => Assert.Null(WalPageMagic.ForMajorVersion(12));

    /// <summary>Continuation at the start, many records, pages and a segment boundary crossed, a switch, a small record.</summary>
    private static WalBuilder Sample(out Lsn small)
    {
        var wal = new WalBuilder(OneMb, Lsn.Parse("0/3000000")).Continuation(9000).Fill(Lsn.Parse("0/3020000"));
        small = wal.Record(30);
        wal.Fill(Lsn.Parse("0/30FE000"));
        wal.Record(30_000);
        wal.Fill(Lsn.Parse("0/3110000"));
        wal.Switch();
        return wal.Fill(Lsn.Parse("0/3206000"));
    }

    /// <summary>One record from 0/3001FF0-ish spanning into the page at 0/3002000 (returned with the record).</summary>
    private static WalBuilder Spanning(out Lsn page, out Lsn record)
    {
        var wal = new WalBuilder(OneMb, Lsn.Parse("0/3000000"));
        wal.Record(8000);
        record = wal.Record(1000);
        wal.Fill(Lsn.Parse("0/3004000"));
        page = Lsn.Parse("0/3002000");
        return wal;
    }

    private static WalStreamVerifier Verifier(WalBuilder wal, WalSegmentSize? size = null, uint timeline = 1) =>
        new(size ?? OneMb, WalBuilder.SystemId, timeline, wal.Start, WalBuilder.Magic);

    private static WalVerificationError? Feed(WalStreamVerifier verifier, Lsn start, byte[] bytes, IEnumerable<int> chunks)
    {
        var offset = 0;
        foreach (var length in chunks)
        {
            var error = verifier.Append(start + (ulong)offset, bytes.AsSpan(offset, length));
            if (error is not null)
                return error;
            offset += length;
        }

        Assert.Equal(bytes.Length, offset);
        return null;
    }

    private static IEnumerable<IEnumerable<int>> Chunkings(int length)
    {
        yield return Enumerable.Repeat(1, length);
        yield return Fixed(length, 7);
        yield return Fixed(length, 8192);
        yield return Fixed(length, 8193);
        for (var seed = 0; seed < 5; seed++)
            yield return RandomChunks(length, new Random(seed));
    }

    private static IEnumerable<int> Fixed(int length, int size)
    {
        for (var offset = 0; offset < length; offset += size)
            yield return Math.Min(size, length - offset);
    }

    private static List<int> RandomChunks(int length, Random random)
    {
        var chunks = new List<int>();
        for (var offset = 0; offset < length;)
        {
            var n = Math.Min(length - offset, random.Next(1, 20_000));
            chunks.Add(n);
            offset += n;
        }

        return chunks;
    }

    private static int InPage(Lsn lsn) => (int)(lsn.Value % WalPageHeader.PageSize);

    /// <summary>The LSNs of the <paramref name="tail"/> bytes of a record begun before the stream (page headers skipped).</summary>
    private static HashSet<Lsn> SkippedContinuation(WalBuilder wal, int tail)
    {
        var skipped = new HashSet<Lsn>();
        for (var position = wal.Start; skipped.Count < tail; position += 1)
        {
            var headerSize = wal.SegmentSize.OffsetIn(position) < WalPageHeader.PageSize ? WalPageHeader.LongSize : WalPageHeader.ShortSize;
            if (InPage(position) >= headerSize)
                skipped.Add(position);
        }

        return skipped;
    }

    /// <summary>Every LSN of record bytes (page headers skipped), except the xl_tot_len field, with its record's start.</summary>
    private static IEnumerable<(Lsn Position, Lsn Record, int Within)> PageDataPositionsOfRecords(WalBuilder wal)
    {
        foreach (var (start, length) in wal.Records)
        {
            var position = start.Value;
            for (var i = 0; i < length; i++)
            {
                var inPage = (int)(position % WalPageHeader.PageSize);
                if (inPage == 0)
                    position += wal.SegmentSize.IsSegmentStart(new Lsn(position)) ? (ulong)WalPageHeader.LongSize : WalPageHeader.ShortSize;
                if (i >= 4)
                    yield return (new Lsn(position), start, i);
                position++;
            }
        }
    }
}

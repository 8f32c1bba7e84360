using System.Buffers.Binary;
using System.Text;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

public sealed class RecoveryTargetDecoderTests
{
    private const byte Xlog = 0;
    private const byte Xact = 1;
    private const byte Commit = 0x00;
    private const byte Prepare = 0x10;
    private const byte Abort = 0x20;
    private const byte CommitPrepared = 0x30;
    private const byte AbortPrepared = 0x40;

    private static readonly WalSegmentSize Size = new(1 << 20);
    private static readonly Lsn Start = Lsn.Parse("0/3000128");
    private static readonly WalRecordFormat Pg15 = WalRecordFormat.PostgreSql15;

    // 2026-11-28 01:02:03.123456 UTC as a TimestampTz.
    private static readonly DateTimeOffset Time = new DateTimeOffset(2026, 11, 28, 1, 2, 3, TimeSpan.Zero).AddTicks(1_234_560);
    private static readonly long Micros = (Time - PostgresTimestamp.Epoch).Ticks / 10;

    private static RecoveryTargetEvent? Decode(byte[] record, WalRecordFormat? format = null) =>
        RecoveryTargetDecoder.Decode(record, Start, Size, format ?? Pg15);

    [Fact]
    public void A_commit_is_its_xact_time_and_the_header_xid()
    {
        var record = new RecordBuilder(Xact, Commit, xid: 735).Build(new XactData(Micros).Build());

        var e = Decode(record);

        Assert.Equal(new RecoveryTargetEvent(RecoveryTargetKind.Commit, Start, Start + (ulong)record.Length, Time, 735, null), e);
        Assert.Equal(TimeSpan.Zero, e!.Value.Time.Offset);
    }

    [Fact]
    public void A_commit_with_every_optional_part_still_takes_the_header_xid()
    {
        var data = new XactData(Micros).DbInfo().Subxacts(736, 737).RelFileNodes(2).DroppedStats(2).Invals(3).Origin().Flags(1u << 31);
        var record = new RecordBuilder(Xact, data.Info(Commit), xid: 735).Origin(1).Build(data.Build());

        Assert.Equal((RecoveryTargetKind.Commit, 735u, Time), Fields(Decode(record)));
    }

    [Fact]
    public void An_abort_is_the_abort_kind()
    {
        var data = new XactData(Micros).Subxacts(901);
        var record = new RecordBuilder(Xact, data.Info(Abort), xid: 900).Build(data.Build());

        Assert.Equal((RecoveryTargetKind.Abort, 900u, Time), Fields(Decode(record)));
    }

    [Fact]
    public void A_commit_prepared_is_the_prepared_transactions_xid_after_every_part_before_it()
    {
        var data = new XactData(Micros).DbInfo().Subxacts(801, 802, 803).RelFileNodes(1).DroppedStats(2).Invals(4).TwoPhase(800, "gid-1").Origin();
        // xl_xid of COMMIT PREPARED is the committing backend's, not the prepared transaction's.
        var record = new RecordBuilder(Xact, data.Info(CommitPrepared), xid: 0).TopLevelXid(5).Origin(2).Build(data.Build());

        Assert.Equal((RecoveryTargetKind.Commit, 800u, Time), Fields(Decode(record)));
    }

    [Fact]
    public void An_abort_prepared_never_has_invalidations_before_the_twophase_part()
    {
        var data = new XactData(Micros).DbInfo().Subxacts(1001).RelFileNodes(3).DroppedStats(1).TwoPhase(1000);
        var record = new RecordBuilder(Xact, data.Info(AbortPrepared), xid: 0).Build(data.Build());

        Assert.Equal((RecoveryTargetKind.Abort, 1000u, Time), Fields(Decode(record)));
    }

    [Fact]
    public void Main_data_of_256_bytes_or_more_with_block_references_before_it_is_found()
    {
        // Enough subtransactions for the long main data header.
        var data = new XactData(Micros).Subxacts([.. Enumerable.Range(2000, 100).Select(i => (uint)i)]).TwoPhase(1999);
        var record = new RecordBuilder(Xact, data.Info(CommitPrepared)).Block(0, [1, 2, 3]).Build(data.Build());

        Assert.Equal(WalRecordLayout.DataLongId, record[24 + 4 + 16]);
        Assert.Equal((RecoveryTargetKind.Commit, 1999u, Time), Fields(Decode(record)));
    }

    [Theory]
    [InlineData(14, 0)] // no dropped statistics part: the bit means nothing, and is not skipped
    [InlineData(15, 12)]
    [InlineData(17, 12)]
    [InlineData(18, 16)] // 64-bit object ids
    public void Dropped_statistics_items_have_the_size_of_the_version(int major, int itemSize)
    {
        var data = new XactData(Micros).Subxacts(3);
        if (itemSize > 0)
            data.DroppedStats(2, itemSize);
        else
            data.Flags(1u << 8);
        data.Invals(1).TwoPhase(4242);
        var record = new RecordBuilder(Xact, data.Info(CommitPrepared)).Build(data.Build());

        Assert.Equal(4242u, Decode(record, new WalRecordFormat(major))!.Value.Xid);
    }

    [Fact]
    public void A_restore_point_is_its_name_and_time_with_xid_0()
    {
        var record = new RecordBuilder(Xlog, 0x70, xid: 0).Build(RestorePoint(Micros, "before the migration"));

        Assert.Equal(new RecoveryTargetEvent(RecoveryTargetKind.RestorePoint, Start, Start + (ulong)record.Length, Time, 0, "before the migration"), Decode(record));
    }

    [Fact]
    public void A_restore_point_name_of_63_bytes_and_one_in_utf8_are_read_whole()
    {
        var longest = new string('n', 63);
        Assert.Equal(longest, Decode(new RecordBuilder(Xlog, 0x70).Build(RestorePoint(Micros, longest)))!.Value.Name);
        Assert.Equal("før-批", Decode(new RecordBuilder(Xlog, 0x70).Build(RestorePoint(Micros, "før-批")))!.Value.Name);
    }

    public static TheoryData<byte, byte> NotEvents() => new()
    {
        { Xact, Prepare },
        { Xact, 0x50 }, // XLOG_XACT_ASSIGNMENT
        { Xact, 0x60 }, // XLOG_XACT_INVALIDATIONS
        { Xlog, 0x00 }, // XLOG_CHECKPOINT_SHUTDOWN
        { Xlog, 0x40 }, // XLOG_SWITCH
        { Xlog, 0x71 - 0x10 }, // XLOG_PARAMETER_CHANGE with a low flag bit
        { 10, 0x00 }, // Heap insert
        { 2, 0x70 }, // Storage, with the restore point's info
        { 200, 0x00 }, // a custom resource manager
    };

    [Theory]
    [MemberData(nameof(NotEvents))]
    public void Other_records_are_not_events_whatever_their_body(byte rmid, byte info)
    {
        var garbage = new RecordBuilder(rmid, info).RawHeader(99, 1, 2, 3).Build([7, 7, 7]); // block id 99 is invalid
        Assert.Null(Decode(garbage));
    }

    [Fact]
    public void The_header_predicate_names_exactly_the_records_decode_reads()
    {
        for (var rmid = 0; rmid <= byte.MaxValue; rmid++)
        {
            for (var info = 0; info <= byte.MaxValue; info++)
            {
                var record = new RecordBuilder((byte)rmid, (byte)info).Build([1, 2, 3]); // too short for any event's main data
                bool decoded;
                try
                {
                    decoded = Decode(record) is not null;
                }
                catch (FormatException)
                {
                    decoded = true;
                }

                Assert.True(decoded == RecoveryTargetDecoder.IsEventRecord((byte)rmid, (byte)info), $"rmid {rmid}, info 0x{info:X2}");
            }
        }
    }

    [Fact]
    public void Low_flag_bits_of_xl_info_do_not_change_the_kind()
    {
        // XLR_SPECIAL_REL_UPDATE and XLR_CHECK_CONSISTENCY live in the low nibble.
        Assert.Equal(RecoveryTargetKind.RestorePoint, Decode(new RecordBuilder(Xlog, 0x73).Build(RestorePoint(Micros, "x")))!.Value.Kind);
        Assert.Equal(RecoveryTargetKind.Abort, Decode(new RecordBuilder(Xact, Abort | 0x01, 5).Build(new XactData(Micros).Build()))!.Value.Kind);
    }

    [Fact]
    public void The_end_counts_the_page_headers_the_record_spans()
    {
        var record = new RecordBuilder(Xact, Commit, 1).Build(new XactData(Micros).Subxacts([.. Enumerable.Range(1, 3000).Select(i => (uint)i)]).Build());
        // 256 bytes before the segment ends, then the next segment's first page (long header, 8152 bytes of room), and
        // some of its second page (short header).
        var start = Lsn.Parse("0/30FFF00");
        Assert.InRange(record.Length, 256 + 8152 + 1, 256 + 8152 + 8168);

        var e = RecoveryTargetDecoder.Decode(record, start, Size, Pg15)!.Value;

        Assert.Equal(start + (ulong)record.Length + 40 + 24, e.End);
        Assert.Equal(Size.SegmentOf(start) + 1, e.EndSegment(Size));
    }

    [Fact]
    public void The_time_is_exact_to_the_microsecond_also_before_2000()
    {
        var record = new RecordBuilder(Xact, Commit, 1).Build(new XactData(-1).Build());
        Assert.Equal(PostgresTimestamp.Epoch.AddTicks(-10), Decode(record)!.Value.Time);
    }

    public static TheoryData<string, byte[]> Malformed()
    {
        var twoPhase = new XactData(Micros).TwoPhase(5);
        return new TheoryData<string, byte[]>
        {
            { "xl_restore_point", new RecordBuilder(Xlog, 0x70).Build(RestorePoint(Micros, "x")[..71]) },
            { "terminating NUL", new RecordBuilder(Xlog, 0x70).Build([.. BitConverter.GetBytes(Micros), .. Enumerable.Repeat((byte)'a', 64)]) },
            { "xact_time", new RecordBuilder(Xact, Commit, 1).Build([1, 2, 3]) },
            { "xact_time", new RecordBuilder(Xact, Commit, 1).Build() },
            { "no xl_xact_xinfo", new RecordBuilder(Xact, CommitPrepared).Build(new XactData(Micros).Build()) },
            { "XACT_XINFO_HAS_TWOPHASE", new RecordBuilder(Xact, 0x80 | CommitPrepared).Build(new XactData(Micros).Subxacts(1).Build()) },
            { "negative", new RecordBuilder(Xact, 0x80 | CommitPrepared).Build(new XactData(Micros).Part(1u << 1, BitConverter.GetBytes(-1)).TwoPhase(5).Build()) },
            { "runs past the end", new RecordBuilder(Xact, 0x80 | AbortPrepared).Build(new XactData(Micros).Part(1u << 2, BitConverter.GetBytes(1000)).TwoPhase(5).Build()) },
            { "xl_xact_twophase", new RecordBuilder(Xact, twoPhase.Info(CommitPrepared)).Build(twoPhase.Build()[..^1]) },
            { "InvalidTransactionId", new RecordBuilder(Xact, 0x80 | CommitPrepared).Build(new XactData(Micros).TwoPhase(0).Build()) },
            { "beyond the years", new RecordBuilder(Xact, Commit, 1).Build(BitConverter.GetBytes(long.MaxValue)) }, // 'infinity'
            { "invalid block id", new RecordBuilder(Xact, Commit, 1).RawHeader(40).Build(new XactData(Micros).Build()) },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_event_record_is_a_format_exception_naming_its_lsn(string expected, byte[] record)
    {
        var e = Assert.Throws<FormatException>(() => Decode(record));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains($"at {Start}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_one_record_are_a_format_exception()
    {
        var record = new RecordBuilder(Xact, Commit, 1).Build(new XactData(Micros).Build());
        Assert.Throws<FormatException>(() => Decode(record[..23]));
        Assert.Throws<FormatException>(() => Decode([.. record, 0]));
    }

    [Fact]
    public void A_start_inside_a_page_header_is_the_callers_mistake()
    {
        var record = new RecordBuilder(Xact, Commit, 1).Build(new XactData(Micros).Build());
        Assert.Throws<ArgumentException>(() => RecoveryTargetDecoder.Decode(record, Lsn.Parse("0/3100020"), Size, Pg15)); // long header: 40 bytes
        Assert.Throws<ArgumentException>(() => RecoveryTargetDecoder.Decode(record, Lsn.Parse("0/3102010"), Size, Pg15)); // short header: 24 bytes
        Assert.NotNull(RecoveryTargetDecoder.Decode(record, Lsn.Parse("0/3102018"), Size, Pg15));
    }

    [Fact]
    public void Damaged_event_records_give_an_event_null_or_a_format_exception_and_nothing_else()
    {
        var data = new XactData(Micros).DbInfo().Subxacts(1, 2).RelFileNodes(1).DroppedStats(1).Invals(1).TwoPhase(77, "g").Origin();
        var records = new[]
        {
            new RecordBuilder(Xact, data.Info(CommitPrepared)).Origin(1).Block(0, [1, 2]).Build(data.Build()),
            new RecordBuilder(Xlog, 0x70).Build(RestorePoint(Micros, "rp")),
        };
        var random = new Random(2);
        foreach (var record in records)
        {
            for (var i = 0; i < 20_000; i++)
            {
                var damaged = (byte[])record.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                    damaged[random.Next(16, damaged.Length)] = (byte)random.Next(256);
                damaged = random.Next(4) == 0 ? damaged[..random.Next(24, damaged.Length)] : damaged;
                BinaryPrimitives.WriteUInt32LittleEndian(damaged, (uint)damaged.Length);
                try
                {
                    Decode(damaged);
                }
                catch (FormatException)
                {
                    // what malformed input gives
                }
            }
        }
    }

    private static (RecoveryTargetKind, uint, DateTimeOffset) Fields(RecoveryTargetEvent? e)
    {
        Assert.NotNull(e);
        return (e.Value.Kind, e.Value.Xid, e.Value.Time);
    }

    private static byte[] RestorePoint(long micros, string name)
    {
        var data = new byte[72];
        BinaryPrimitives.WriteInt64LittleEndian(data, micros);
        Encoding.UTF8.GetBytes(name).CopyTo(data, 8);
        return data;
    }
}

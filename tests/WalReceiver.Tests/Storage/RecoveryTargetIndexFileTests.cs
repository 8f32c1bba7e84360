using System.Buffers.Binary;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Storage;

public sealed class RecoveryTargetIndexFileTests
{
    private static readonly WalSegmentSize Size = new(16 << 20);
    private static readonly Lsn Segment = Lsn.Parse("2/FF000000");
    private static readonly DateTimeOffset Time = new DateTimeOffset(2026, 11, 28, 1, 2, 3, TimeSpan.Zero).AddTicks(1_234_560);

    private static RecoveryTargetEvent Event(RecoveryTargetKind kind, string start, string end, uint xid = 0, string? name = null, long micros = 0) =>
        new(kind, Lsn.Parse(start), Lsn.Parse(end), Time.AddTicks(micros * 10), xid, name);

    private static RecoveryTargetIndex Sample() => new(3, Segment, Size,
    [
        Event(RecoveryTargetKind.Commit, "2/FEFFFFD0", "2/FF000048", xid: 700), // begun in the segment before, across its long header
        Event(RecoveryTargetKind.Abort, "2/FF000048", "2/FF000070", xid: 701, micros: 1),
        Event(RecoveryTargetKind.RestorePoint, "2/FF000070", "2/FF0000D2", name: "before the migration", micros: 2),
        Event(RecoveryTargetKind.Commit, "2/FF0000D8", "2/FF0000FA", xid: uint.MaxValue, micros: -86_400_000_000L * 365 * 30), // 30 years earlier
        Event(RecoveryTargetKind.RestorePoint, "2/FF000100", "2/FF000162", name: "", micros: 3),
        Event(RecoveryTargetKind.RestorePoint, "2/FF000168", "2/FF0001CA", name: "før-批-" + new string('x', 54), micros: 4),
        Event(RecoveryTargetKind.Commit, "2/FFFFFFD8", "3/0", xid: 702, micros: 5), // its last byte is the segment's last
    ]);

    [Fact]
    public void An_index_comes_back_as_it_was_written()
    {
        var index = Sample();

        var read = RecoveryTargetIndexFile.Decode(RecoveryTargetIndexFile.Encode(index));

        Assert.Equal(index.Events, read.Events);
        Assert.Equal((3u, Segment, Size), (read.Timeline, read.SegmentStart, read.SegmentSize));
        Assert.Equal("0000000300000002000000FF", read.SegmentFileName);
    }

    [Fact]
    public void The_size_is_a_fixed_part_per_event_plus_the_names()
    {
        var index = Sample();
        var names = index.Events.Where(e => e.Name is not null).Sum(e => 1 + System.Text.Encoding.UTF8.GetByteCount(e.Name!));
        Assert.Equal(32 + (21 * 7) + names + 4, RecoveryTargetIndexFile.Encode(index).Length);
        Assert.Equal(36, RecoveryTargetIndexFile.Encode(new RecoveryTargetIndex(1, Segment, Size, [])).Length);
    }

    [Fact]
    public void An_index_without_events_comes_back_empty()
    {
        var read = RecoveryTargetIndexFile.Decode(RecoveryTargetIndexFile.Encode(new RecoveryTargetIndex(1, Segment, Size, [])));
        Assert.Empty(read.Events);
        Assert.Equal(Segment, read.SegmentStart);
    }

    [Fact]
    public void Streams_carry_the_same_bytes()
    {
        using var stream = new MemoryStream();
        RecoveryTargetIndexFile.Write(stream, Sample());
        Assert.Equal(RecoveryTargetIndexFile.Encode(Sample()), stream.ToArray());
        stream.Position = 0;
        Assert.Equal(Sample().Events, RecoveryTargetIndexFile.Read(stream).Events);
    }

    [Fact]
    public void Every_truncation_is_an_error()
    {
        var bytes = RecoveryTargetIndexFile.Encode(Sample());
        for (var length = 0; length < bytes.Length; length++)
        {
            var e = Assert.Throws<InvalidDataException>(() => RecoveryTargetIndexFile.Decode(bytes.AsSpan(0, length)));
            Assert.True(e.Message.Contains("damaged", StringComparison.Ordinal) || e.Message.Contains("not a recovery target index", StringComparison.Ordinal), e.Message);
        }
    }

    [Fact]
    public void Every_flipped_bit_is_an_error()
    {
        var bytes = RecoveryTargetIndexFile.Encode(Sample());
        for (var bit = 0; bit < bytes.Length * 8; bit++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Throws<InvalidDataException>(() => RecoveryTargetIndexFile.Decode(damaged));
        }
    }

    [Fact]
    public void Zeros_where_the_tail_was_never_written_are_an_error()
    {
        var bytes = RecoveryTargetIndexFile.Encode(Sample());
        bytes.AsSpan(100).Clear();
        var e = Assert.Throws<InvalidDataException>(() => RecoveryTargetIndexFile.Decode(bytes));
        Assert.Contains("CRC-32C", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_file_is_not_an_index()
    {
        var e = Assert.Throws<InvalidDataException>(() => RecoveryTargetIndexFile.Decode(new byte[8192]));
        Assert.Contains("not a recovery target index", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_later_version_is_named_not_taken_for_damage()
    {
        var bytes = RecoveryTargetIndexFile.Encode(Sample());
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), 2);
        var e = Assert.Throws<InvalidDataException>(() => RecoveryTargetIndexFile.Decode(Recrc(bytes)));
        Assert.Contains("version 2", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, int, byte[]> Inconsistent() => new()
    {
        { "reserved", 6, [1] },
        { "timeline 0", 8, [0, 0, 0, 0] },
        { "segment size", 12, [0, 0, 0x30, 0] }, // 3 MB is no power of two
        { "segment start", 16, [0, 0, 0x80, 0xFF] }, // not a multiple of 16 MB
        { "events", 24, [8] }, // one more than there are
        { "names", 28, [0] },
        { "unknown kind 9", 32, [9] },
        { "ends 0 bytes into", 33, [0, 0, 0, 0] },
        { "no record in this segment", 33, [1, 0, 0, 1] }, // beyond 16 MB
        { "cannot be", 37, [0xFF, 0xFF, 0xFF, 0xFF] }, // 4 GB
        { "cannot be", 37, [8, 0, 0, 0] }, // less than a record header
        { "impossible time", 41, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F] }, // infinity
        { "not after the event before it", 32 + 21 + 5, [0xB0, 0, 0, 0] }, // the abort now starts before the commit
        { "a restore point has a name and xid 0", 32 + 42 + 17, [1] },
        { "the name of event 5", 32 + 21, [3] }, // the abort, now a restore point, takes the first name: the last has none
        { "left after the last restore point", 32 + 42, [1] }, // the first restore point, now a commit, leaves a name
        { "the name of event 2", 32 + (21 * 7), [200] }, // a name length past the names
    };

    [Theory]
    [MemberData(nameof(Inconsistent))]
    public void A_file_whose_crc_is_right_but_content_impossible_is_an_error(string expected, int offset, byte[] bytes)
    {
        var file = RecoveryTargetIndexFile.Encode(Sample());
        bytes.CopyTo(file, offset);
        var e = Assert.Throws<InvalidDataException>(() => RecoveryTargetIndexFile.Decode(Recrc(file)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_that_would_start_before_lsn_0_is_an_error()
    {
        var file = RecoveryTargetIndexFile.Encode(new RecoveryTargetIndex(1, Lsn.Invalid, Size, [Event(RecoveryTargetKind.Commit, "0/28", "0/50", xid: 3)]));
        file[37] = 0x60; // spans 96 bytes, ending 80 bytes into the first segment
        var e = Assert.Throws<InvalidDataException>(() => RecoveryTargetIndexFile.Decode(Recrc(file)));
        Assert.Contains("which no record in this segment can", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_that_is_not_utf8_is_an_error()
    {
        var file = RecoveryTargetIndexFile.Encode(Sample());
        file[32 + (21 * 7) + 1] = 0xFF; // the first byte of the first name
        var e = Assert.Throws<InvalidDataException>(() => RecoveryTargetIndexFile.Decode(Recrc(file)));
        Assert.Contains("the name of event 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_with_a_lone_surrogate_cannot_be_written()
    {
        var index = new RecoveryTargetIndex(1, Segment, Size, [Event(RecoveryTargetKind.RestorePoint, "2/FF000070", "2/FF0000D2", name: "a\ud800")]);
        Assert.ThrowsAny<ArgumentException>(() => RecoveryTargetIndexFile.Encode(index));
    }

    private static byte[] Recrc(byte[] file)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - 4), Crc32C.Compute(file.AsSpan(0, file.Length - 4)));
        return file;
    }
}

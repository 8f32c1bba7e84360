using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

public sealed class WalRecordLayoutTests
{
    private static readonly WalRecordFormat Pg15 = WalRecordFormat.PostgreSql15;

    private static byte[] Bytes(int length, int seed) => Enumerable.Range(seed, length).Select(i => (byte)(i * 7)).ToArray();

    [Fact]
    public void Main_data_with_a_short_header_is_the_end_of_the_record()
    {
        var main = Bytes(100, 1);
        var record = new RecordBuilder(rmid: 10, info: 0).Build(main);

        var layout = WalRecordLayout.Read(record, Pg15);

        Assert.Equal(main, layout.MainData(record).ToArray());
        Assert.Equal(24 + 2, layout.MainDataOffset);
        Assert.Equal(0, layout.BlockReferences);
    }

    [Theory]
    [InlineData(256)]
    [InlineData(70_000)]
    public void Main_data_of_256_bytes_or_more_has_the_long_header(int length)
    {
        var main = Bytes(length, 2);
        var record = new RecordBuilder(rmid: 1, info: 0).Build(main);

        var layout = WalRecordLayout.Read(record, Pg15);

        Assert.Equal(WalRecordLayout.DataLongId, record[24]);
        Assert.Equal(main, layout.MainData(record).ToArray());
    }

    [Fact]
    public void A_long_header_for_short_data_reads_the_same()
    {
        var main = Bytes(10, 3);
        var record = new RecordBuilder(rmid: 1, info: 0) { LongMainDataHeader = true }.Build(main);
        Assert.Equal(main, WalRecordLayout.Read(record, Pg15).MainData(record).ToArray());
    }

    [Fact]
    public void A_record_without_main_data_has_none()
    {
        Assert.Equal(0, WalRecordLayout.Read(new RecordBuilder(rmid: 0, info: 0x20).Build(), Pg15).MainDataLength); // XLOG_NOOP-like
        var blocksOnly = new RecordBuilder(rmid: 10, info: 0).Block(0, Bytes(30, 4)).Build();
        var layout = WalRecordLayout.Read(blocksOnly, Pg15);
        Assert.Equal((0, 1, blocksOnly.Length), (layout.MainDataLength, layout.BlockReferences, layout.MainDataOffset));
    }

    [Fact]
    public void Block_references_with_data_images_and_the_same_relation_are_stepped_over()
    {
        var main = Bytes(40, 5);
        var record = new RecordBuilder(rmid: 10, info: 0)
            .Block(0, Bytes(12, 6))
            .Block(1, flags: 0x80, image: new BlockImage(Bytes(8192, 7), 0, Info: 0x02)) // same relation; PG15 BKPIMAGE_APPLY
            .Block(2, Bytes(5, 8), image: new BlockImage(Bytes(6000, 9), 300, Info: 0x01)) // hole, not compressed: no hole length
            .Block(5, flags: 0x80, image: new BlockImage(Bytes(900, 10), 200, Info: 0x01 | 0x04, HoleLength: 2000)) // pglz with hole
            .Block(6, Bytes(3, 11), image: new BlockImage(Bytes(700, 12), 0, Info: 0x08)) // lz4, no hole: no hole length
            .Block(32, Bytes(1, 13), image: new BlockImage(Bytes(600, 14), 100, Info: 0x01 | 0x10, HoleLength: 300)) // zstd, highest id
            .Build(main);

        var layout = WalRecordLayout.Read(record, Pg15);

        Assert.Equal(main, layout.MainData(record).ToArray());
        Assert.Equal(6, layout.BlockReferences);
    }

    [Fact]
    public void Origin_and_top_level_xid_headers_are_read_wherever_they_come()
    {
        var main = Bytes(20, 15);
        var record = new RecordBuilder(rmid: 10, info: 0).TopLevelXid(7777).Block(0, Bytes(4, 16)).Origin(3).Build(main);

        var layout = WalRecordLayout.Read(record, Pg15);

        Assert.Equal(main, layout.MainData(record).ToArray());
        Assert.Equal((ushort)3, layout.Origin);
        Assert.Equal(7777u, layout.TopLevelXid);
    }

    [Fact]
    public void Before_15_bit_0x02_means_compressed_so_a_hole_length_follows()
    {
        var main = Bytes(20, 17);
        // PG14: BKPIMAGE_HAS_HOLE | BKPIMAGE_IS_COMPRESSED; in 15 the same bits are HAS_HOLE | APPLY, without a hole length.
        var record = new RecordBuilder(rmid: 10, info: 0)
            .Block(0, image: new BlockImage(Bytes(500, 18), 100, Info: 0x03, HoleLength: 1000))
            .Build(main);

        Assert.Equal(main, WalRecordLayout.Read(record, new WalRecordFormat(14)).MainData(record).ToArray());
        Assert.Throws<FormatException>(() => WalRecordLayout.Read(record, Pg15));
    }

    public static TheoryData<string, byte[]> Malformed()
    {
        var main = Bytes(30, 19);
        var good = new RecordBuilder(rmid: 10, info: 0).Block(0, Bytes(10, 20)).Build(main);
        var data = new TheoryData<string, byte[]>
        {
            { "too few", good[..20] },
            { "xl_tot_len", good[..^1] },
            { "increase", new RecordBuilder(10, 0).Block(3, Bytes(2, 1)).Block(3, Bytes(2, 1)).Build(main) },
            { "increase", new RecordBuilder(10, 0).Block(4, Bytes(2, 1)).Block(1, Bytes(2, 1)).Build(main) },
            { "invalid block id 33", new RecordBuilder(10, 0).Block(33, Bytes(2, 1)).Build(main) },
            { "invalid block id 251", new RecordBuilder(10, 0).RawHeader(251).Build(main) },
            { "BKPBLOCK_SAME_REL", new RecordBuilder(10, 0).Block(0, Bytes(2, 1), flags: 0x80).Build(main) },
            // HAS_DATA with a data length of 0: fork_flags 0x20, data_length 0, relation, block.
            { "a data length of 0", new RecordBuilder(10, 0).RawHeader([0, 0x20, 0, 0, .. new byte[16]]).Build(main) },
            // A data length without HAS_DATA: 5 bytes announced, and there, but the flag is missing.
            { "without BKPBLOCK_HAS_DATA", Finish(new RecordBuilder(10, 0).RawHeader([0, 0x00, 5, 0, .. new byte[16]]).Build([.. Bytes(5, 2), .. main])) },
            // Headers that announce more than there is, and less.
            { "announce", Finish([.. good[..^1]]) },
            { "announce", Finish([.. good, 0]) },
            { "runs past the end", Finish([.. good[..(24 + 3)]]) }, // inside the first block header
            { "runs past the end", new RecordBuilder(10, 0).RawHeader(WalRecordLayout.DataLongId, 1, 0).Build() }, // a cut long length
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_record_is_a_format_exception_that_says_what(string expected, byte[] record)
    {
        var e = Assert.Throws<FormatException>(() => WalRecordLayout.Read(record, Pg15));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Damaged_records_throw_nothing_but_a_format_exception()
    {
        var record = new RecordBuilder(rmid: 10, info: 0).TopLevelXid(9).Origin(2)
            .Block(0, Bytes(10, 21), image: new BlockImage(Bytes(300, 22), 50, Info: 0x05, HoleLength: 100))
            .Block(1, Bytes(300, 23), flags: 0x80)
            .Build(Bytes(260, 24));
        var random = new Random(1);
        for (var i = 0; i < 20_000; i++)
        {
            var damaged = (byte[])record.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
                damaged[24 + random.Next(damaged.Length - 24)] = (byte)random.Next(256);
            if (random.Next(4) == 0)
                damaged = Finish(damaged[..random.Next(24, damaged.Length)]);
            try
            {
                var layout = WalRecordLayout.Read(damaged, Pg15);
                Assert.InRange(layout.MainDataOffset + layout.MainDataLength, 24, damaged.Length);
            }
            catch (FormatException)
            {
                // expected for most
            }
        }
    }

    // The header of a record given byte for byte, with xl_tot_len set to its length.
    private static byte[] Finish(byte[] record) => RecordBuilder.Finish(record, record[17], record[16], 0);
}

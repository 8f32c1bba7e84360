using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

public sealed class WalSegmentInspectorTests
{
    private static readonly WalSegmentSize Size = new(1 << 20);
    private static readonly Lsn Start = Lsn.Parse("0/100000");

    [Fact]
    public void Lists_every_record_that_starts_in_the_segment_with_its_crc_checked_across_pages_and_into_the_next()
    {
        var wal = new WalBuilder(Size, Start).Fill(Start + (ulong)(Size.Bytes + 50_000), maxLength: 20_000);
        var bytes = wal.ToArray();
        var result = WalSegmentInspector.Inspect(bytes.AsSpan(0, Size.Bytes), bytes.AsSpan(Size.Bytes), Start);

        var expected = wal.Records.Where(r => r.Start < Start + (ulong)Size.Bytes).ToList();
        Assert.Equal(expected.Select(r => (r.Start, (uint)r.Length)), result.Records.Select(r => (r.Lsn, r.TotalLength)));
        Assert.All(result.Records, r => Assert.True(r.CrcOk));
        Assert.True(result.Records[^1].Lsn + result.Records[^1].TotalLength > Start + (ulong)Size.Bytes, "the last record should go on into the next segment");
        Assert.Equal(128, result.Pages.Count);
        Assert.Equal(Size.Bytes, result.SegmentSize);
        Assert.False(result.Damaged);
    }

    [Fact]
    public void Without_the_next_segment_the_last_record_is_listed_unchecked()
    {
        var wal = new WalBuilder(Size, Start).Fill(Start + (ulong)(Size.Bytes + 50_000), maxLength: 20_000);
        var result = WalSegmentInspector.Inspect(wal.ToArray().AsSpan(0, Size.Bytes), [], Start);
        Assert.Null(result.Records[^1].CrcOk);
        Assert.Contains("continues past what was read", result.End, StringComparison.Ordinal);
        Assert.False(result.Damaged);
    }

    [Fact]
    public void The_tail_of_a_record_from_the_segment_before_is_skipped()
    {
        var wal = new WalBuilder(Size, Start).Continuation(20_000);
        var first = wal.Record(100);
        wal.Fill(Start + 200_000);
        var end = wal.End;
        var ended = WalSegmentInspector.Inspect(wal.ToArray(), [], Start);
        wal.Zeros(1000);
        var zeros = WalSegmentInspector.Inspect(wal.ToArray(), [], Start);

        Assert.Equal(first, ended.Records[0].Lsn);
        Assert.Equal(wal.Records.Count, ended.Records.Count);
        Assert.Contains($"the file ends at {end}", ended.End, StringComparison.Ordinal);
        Assert.Equal(wal.Records.Count, zeros.Records.Count);
        Assert.Contains("the rest is zeros", zeros.End, StringComparison.Ordinal);
    }

    [Fact]
    public void A_switch_record_ends_the_listing_and_a_changed_byte_is_a_bad_crc()
    {
        var wal = new WalBuilder(Size, Start);
        var changed = wal.Record(300);
        var @switch = wal.Switch();
        var bytes = wal.ToArray();
        bytes[wal.OffsetOf(changed) + 100] ^= 0x40;

        var result = WalSegmentInspector.Inspect(bytes, [], Start);

        Assert.Equal([changed, @switch], result.Records.Select(r => r.Lsn));
        Assert.False(result.Records[0].CrcOk);
        Assert.True(result.Records[1].CrcOk);
        Assert.Equal("XLOG", result.Records[1].ResourceManagerName);
        Assert.Contains("XLOG_SWITCH", result.End, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_the_wal_written_ends_inside_is_unchecked_not_bad()
    {
        var wal = new WalBuilder(Size, Start);
        wal.Record(200);
        var torn = wal.Record(5000);
        wal.Zeros(20_000);
        var bytes = wal.ToArray();
        bytes.AsSpan(wal.OffsetOf(torn) + 3000, 2000).Clear(); // what a .partial holds when the stream stopped inside the record

        var result = WalSegmentInspector.Inspect(bytes, [], Start);

        Assert.Equal(torn, result.Records[^1].Lsn);
        Assert.Null(result.Records[^1].CrcOk);
        Assert.Contains("ends inside the record", result.End, StringComparison.Ordinal);
        Assert.False(result.Damaged);
    }

    [Fact]
    public void A_file_that_is_not_a_segment_start_is_damaged()
    {
        var wal = new WalBuilder(Size, Start).Fill(Start + 20_000);
        var result = WalSegmentInspector.Inspect(wal.ToArray().AsSpan(8192), [], Start + 8192);
        Assert.True(result.Damaged);
        Assert.Empty(result.Records);
    }

    [Fact]
    public void Each_whole_record_is_handed_out_byte_for_byte_and_one_with_a_bad_crc_is_not()
    {
        var random = new Random(3);
        var wal = new WalBuilder(Size, Start);
        var written = new List<(Lsn, byte[])>();
        while (wal.End < Start + (ulong)Size.Bytes + 30_000)
        {
            var record = new byte[random.Next(24, 20_000)];
            random.NextBytes(record);
            RecordBuilder.Finish(record, rmid: 10, info: 0, xid: 1);
            written.Add((wal.Raw(record), record));
        }

        var bytes = wal.ToArray();
        bytes[wal.OffsetOf(written[5].Item1) + 30] ^= 1;
        var handed = new List<(Lsn, byte[])>();
        var result = WalSegmentInspector.Inspect(bytes.AsSpan(0, Size.Bytes), bytes.AsSpan(Size.Bytes), Start, (lsn, r) => handed.Add((lsn, r.ToArray())));
        var plain = WalSegmentInspector.Inspect(bytes.AsSpan(0, Size.Bytes), bytes.AsSpan(Size.Bytes), Start);

        var expected = written.Where(w => w.Item1 < Start + (ulong)Size.Bytes && w.Item1 != written[5].Item1).ToList();
        Assert.Equal(expected.Select(w => w.Item1), handed.Select(h => h.Item1));
        Assert.All(expected.Zip(handed), p => Assert.Equal(p.First.Item2, p.Second.Item2));
        Assert.True(expected[^1].Item1 + (ulong)expected[^1].Item2.Length > Start + (ulong)Size.Bytes, "the last record should end in the next segment");
        Assert.Equal(plain.Records, result.Records);
        Assert.Equal(plain.End, result.End);
    }
}

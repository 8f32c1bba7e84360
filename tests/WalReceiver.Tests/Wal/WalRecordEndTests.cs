using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

public sealed class WalRecordEndTests
{
    private static readonly WalSegmentSize Size = new(1 << 20);

    [Theory]
    [InlineData("0/3000028", 24, "0/3000040")] // the first record of a segment, after the long header
    [InlineData("0/3001FE8", 24, "0/3002000")] // ends exactly at the end of its page: no header is counted
    [InlineData("0/3001FE8", 25, "0/3002019")] // one byte on the next page, after its 24-byte header
    [InlineData("0/30FFFF8", 24, "0/3100038")] // 8 bytes, then 16 after the next segment's 40-byte header
    [InlineData("0/3000028", 8152 + 8168, "0/3004000")] // fills two pages exactly
    public void The_end_steps_over_page_headers(string start, uint length, string end) =>
        Assert.Equal(Lsn.Parse(end), WalRecordEnd.Of(Lsn.Parse(start), length, Size));

    [Fact]
    public void Each_record_of_synthetic_wal_ends_where_the_next_one_starts_after_alignment_and_a_page_header()
    {
        var start = Size.StartOfSegment(3);
        var wal = new WalBuilder(Size, start).Fill(start + (ulong)(2 * Size.Bytes), maxLength: 40_000);
        Assert.True(wal.Records.Count > 100);
        for (var i = 0; i + 1 < wal.Records.Count; i++)
        {
            var end = WalRecordEnd.Of(wal.Records[i].Start, (uint)wal.Records[i].Length, Size);
            var next = (end.Value + 7) & ~7UL;
            if (next % WalPageHeader.PageSize == 0)
                next += Size.IsSegmentStart(new Lsn(next)) ? 40UL : 24UL;
            Assert.Equal(wal.Records[i + 1].Start, new Lsn(next));
        }
    }

    [Fact]
    public void A_record_of_the_largest_size_spans_its_bytes_and_every_page_header_between()
    {
        var start = Lsn.Parse("1/28");
        var end = WalRecordEnd.Of(start, WalStreamVerifier.MaxRecordSize, Size);

        var headers = 0UL;
        for (var page = ((start.Value / WalPageHeader.PageSize) + 1) * WalPageHeader.PageSize; page < end.Value; page += WalPageHeader.PageSize)
            headers += Size.IsSegmentStart(new Lsn(page)) ? 40UL : 24UL;
        Assert.Equal(WalStreamVerifier.MaxRecordSize + headers, end.Value - start.Value);
        Assert.True(headers > 24UL * 1020 * 128, $"{headers} bytes of headers");
    }
}

namespace WalReceiver.Wal;

/// <summary>
/// Where a record ends in the WAL: <c>xl_tot_len</c> counts only the record's own bytes, while the record is laid out
/// across pages, each of which starts with a page header (the long one at a segment start) that the record steps over.
/// </summary>
internal static class WalRecordEnd
{
    /// <summary>
    /// The LSN just past the last byte of the record of <paramref name="totalLength"/> bytes that starts at
    /// <paramref name="start"/>, its page headers counted; not rounded up to the next record's alignment.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="start"/> lies inside a page header, where no record starts.</exception>
    public static Lsn Of(Lsn start, uint totalLength, WalSegmentSize segmentSize)
    {
        var inPage = (int)(start.Value % WalPageHeader.PageSize);
        if (inPage < HeaderSize(new Lsn(start.Value - (ulong)inPage), segmentSize))
            throw new ArgumentException($"no record starts at {start}: it is inside a page header", nameof(start));

        var position = start.Value;
        ulong remaining = totalLength;
        var room = (ulong)(WalPageHeader.PageSize - inPage);
        // At most one step per page: a record is at most 1020 MB, about 131,000 pages.
        while (remaining > room)
        {
            remaining -= room;
            position += room;
            var header = (ulong)HeaderSize(new Lsn(position), segmentSize);
            position += header;
            room = WalPageHeader.PageSize - header;
        }

        return new Lsn(checked(position + remaining));
    }

    private static int HeaderSize(Lsn pageStart, WalSegmentSize segmentSize) =>
        segmentSize.IsSegmentStart(pageStart) ? WalPageHeader.LongSize : WalPageHeader.ShortSize;
}

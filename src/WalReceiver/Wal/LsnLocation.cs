namespace WalReceiver.Wal;

/// <summary>
/// Where an LSN falls among the WAL files of a timeline: the segment file that holds the byte at the LSN and its offset
/// there, as <c>pg_walfile_name_offset</c> reports them, except at a segment boundary (see <see cref="EndingFileName"/>).
/// </summary>
/// <param name="Lsn">The position.</param>
/// <param name="Timeline">The timeline whose files are meant.</param>
/// <param name="SegmentSize">The cluster's segment size (<c>initdb --wal-segsize</c>).</param>
public readonly record struct LsnLocation(Lsn Lsn, uint Timeline, WalSegmentSize SegmentSize)
{
    /// <summary>The segment number (the LSN divided by the segment size).</summary>
    public ulong Segment => SegmentSize.SegmentOf(Lsn);

    /// <summary>The file that holds the byte at <see cref="Lsn"/>, and the LSNs it covers.</summary>
    public WalFileRange File => new(Timeline, Segment, SegmentSize);

    /// <summary>The name of <see cref="File"/>.</summary>
    public string FileName => File.FileName;

    /// <summary>The byte offset of <see cref="Lsn"/> in <see cref="FileName"/>.</summary>
    public int Offset => SegmentSize.OffsetIn(Lsn);

    /// <summary>The first LSN of the segment.</summary>
    public Lsn First => File.First;

    /// <summary>The last LSN of the segment (inclusive: the end of the last segment is not a representable LSN).</summary>
    public Lsn Last => File.Last;

    /// <summary>Whether the LSN is the first byte of its segment, where PostgreSQL's functions name the segment before.</summary>
    public bool IsSegmentStart => Offset == 0;

    /// <summary>
    /// The file PostgreSQL's <c>pg_walfile_name</c> and <c>pg_walfile_name_offset</c> name: the one holding the byte
    /// before the LSN, because an LSN usually ends something (a record, a switch). It differs from <see cref="FileName"/>
    /// only at a segment boundary, where it is the segment that ends there (and PostgreSQL reports offset 0 with it).
    /// </summary>
    public string EndingFileName => WalFileName.Format(Timeline, IsSegmentStart && Segment > 0 ? Segment - 1 : Segment, SegmentSize);
}

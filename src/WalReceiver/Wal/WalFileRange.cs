namespace WalReceiver.Wal;

/// <summary>The LSNs a WAL segment file covers, from its name (what PostgreSQL 16's <c>pg_split_walfile_name</c> starts from).</summary>
/// <param name="Timeline">The timeline in the name.</param>
/// <param name="Segment">The segment number.</param>
/// <param name="SegmentSize">The segment size the name was read with: the same name means other LSNs with another size.</param>
public readonly record struct WalFileRange(uint Timeline, ulong Segment, WalSegmentSize SegmentSize)
{
    /// <summary>The first LSN in the file.</summary>
    public Lsn First => SegmentSize.StartOfSegment(Segment);

    /// <summary>The last LSN in the file (inclusive).</summary>
    public Lsn Last => new(First.Value + (ulong)(SegmentSize.Bytes - 1));

    /// <summary>The file's name.</summary>
    public string FileName => WalFileName.Format(Timeline, Segment, SegmentSize);

    /// <summary>
    /// Reads a segment file name, with or without <c>.partial</c>; false with the reason when it is not one for this
    /// segment size.
    /// </summary>
    public static bool TryParse(string name, WalSegmentSize size, out WalFileRange range, out string? error)
    {
        range = default;
        var bare = name.EndsWith(WalFileName.PartialSuffix, StringComparison.Ordinal) ? name[..^WalFileName.PartialSuffix.Length] : name;
        if (bare.Length != WalFileName.Length || !WalFileName.IsUpperHex(bare))
        {
            error = $"\"{name}\" is neither an LSN (like 0/16B3748) nor a WAL file name (24 upper-case hexadecimal digits, like 000000010000000000000001)";
            return false;
        }

        if (!WalFileName.TryParse(bare, size, out var timeline, out var segment))
        {
            error = timeline == 0
                ? $"\"{name}\" names timeline 0, which does not exist: timelines start at 1"
                : $"\"{name}\" is not a WAL file name with {size} segments: its last 8 digits must be below {size.SegmentsPerXLogId:X8}; " +
                  "give the cluster's segment size with --wal-segsize";
            return false;
        }

        range = new WalFileRange(timeline, segment, size);
        error = null;
        return true;
    }
}

using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>One segment file of an archive, as <see cref="WalArchive.GetSegments"/> lists it.</summary>
/// <param name="Name">The file's name: the segment's name, then <c>.gz</c>, <c>.lz4</c> or <c>.zst</c> when compressed, then <c>.partial</c> while incomplete.</param>
/// <param name="Path">The file's full path.</param>
/// <param name="Timeline">The timeline, from the name.</param>
/// <param name="Start">The LSN of the segment's first byte.</param>
/// <param name="End">The LSN just past the segment's last byte (the next segment's start).</param>
/// <param name="IsPartial">Whether this is the segment being received (<c>.partial</c>): it ends where the WAL received so far ends.</param>
/// <param name="Compression">How the file is stored: <c>none</c>, <c>gzip</c>, <c>lz4</c> or <c>zstd</c>.</param>
public sealed record WalArchiveSegment(string Name, string Path, uint Timeline, Lsn Start, Lsn End, bool IsPartial, string Compression)
{
    /// <summary>The segment's name without any suffix, as <c>pg_walfile_name</c> prints it and recovery asks for it.</summary>
    public string SegmentName => Name[..WalFileName.Length];

    /// <summary>Whether <paramref name="lsn"/> falls inside this segment.</summary>
    public bool Contains(Lsn lsn) => lsn >= Start && lsn < End;
}

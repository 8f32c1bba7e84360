namespace WalReceiver.Storage;

/// <summary>A WAL segment file found in the archive directory.</summary>
/// <param name="FileName">The name as found, with any compression and <c>.partial</c> suffixes.</param>
/// <param name="Timeline">The timeline from the name.</param>
/// <param name="Segment">The segment number from the name.</param>
/// <param name="IsPartial">Whether the name ends in <c>.partial</c> (still being written, or left by a stop).</param>
/// <param name="Length">The file's size in bytes as stored (compressed, for a compressed file).</param>
/// <param name="Compression">How the file is stored, from its suffix.</param>
internal sealed record ArchivedSegment(string FileName, uint Timeline, ulong Segment, bool IsPartial, long Length,
    CompressionAlgorithm Compression = CompressionAlgorithm.None);

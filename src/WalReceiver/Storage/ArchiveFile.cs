using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>A WAL file of the archive as <see cref="ArchiveVerifier"/> sees it: its name's parts and its first page header.</summary>
/// <param name="Name">The name as stored (<c>000000010000000000000003.zst</c>, <c>...partial</c>).</param>
/// <param name="Stem">The 24-character segment name.</param>
/// <param name="Algorithm">How it is compressed, from its name.</param>
/// <param name="IsPartial">Whether the name ends in <c>.partial</c>.</param>
/// <param name="Header">Its first page's long header, or null when it has none (too short, damaged, not a segment start).</param>
internal sealed record ArchiveFile(string Name, string Stem, CompressionAlgorithm Algorithm, bool IsPartial, WalPageHeader? Header)
{
    /// <summary>The timeline from the name (set once the segment size is known).</summary>
    public uint Timeline { get; init; }

    /// <summary>The segment number from the name (set once the segment size is known).</summary>
    public ulong Segment { get; init; }
}

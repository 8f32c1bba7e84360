namespace WalReceiver.Cli.Commands.LsnVerb;

/// <summary><c>lsn FILE --json</c>: the LSNs a WAL file covers.</summary>
/// <param name="File">The file name, without <c>.partial</c>.</param>
/// <param name="Timeline">The timeline in the name.</param>
/// <param name="SegmentSize">The segment size in bytes the name was read with.</param>
/// <param name="Segment">The segment number.</param>
/// <param name="First">The file's first LSN.</param>
/// <param name="Last">The file's last LSN (inclusive).</param>
internal sealed record LsnJsonFile(string File, uint Timeline, int SegmentSize, ulong Segment, string First, string Last);

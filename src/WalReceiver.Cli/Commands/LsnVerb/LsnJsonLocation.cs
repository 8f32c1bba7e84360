namespace WalReceiver.Cli.Commands.LsnVerb;

/// <summary><c>lsn LSN --json</c>: the file and offset of an LSN.</summary>
/// <param name="Lsn">The LSN, as PostgreSQL prints it.</param>
/// <param name="Timeline">The timeline of the file.</param>
/// <param name="SegmentSize">The segment size in bytes.</param>
/// <param name="File">The file that holds the byte at the LSN.</param>
/// <param name="Offset">The LSN's byte offset in that file.</param>
/// <param name="First">The file's first LSN.</param>
/// <param name="Last">The file's last LSN (inclusive).</param>
/// <param name="PgWalfileName">What pg_walfile_name says: <paramref name="File"/>, or at a segment boundary the file that ends there.</param>
internal sealed record LsnJsonLocation(string Lsn, uint Timeline, int SegmentSize, string File, int Offset, string First, string Last, string PgWalfileName);

using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>One thing <see cref="ArchiveVerifier"/> found, tied to a file and, when it has one, an LSN.</summary>
/// <param name="Severity">Whether it is an error, a warning or information.</param>
/// <param name="File">The file it concerns, as named in the directory (or in the manifest).</param>
/// <param name="Lsn">Where in the WAL, or null for a problem of the whole file.</param>
/// <param name="Message">A sentence naming what was found.</param>
internal sealed record ArchiveFinding(ArchiveFindingSeverity Severity, string File, Lsn? Lsn, string Message)
{
    /// <summary><c>ERROR 000000010000000000000005: at LSN 0/5001238: record CRC mismatch ...</c>.</summary>
    public override string ToString() =>
        $"{Severity.ToString().ToUpperInvariant()} {File}: {(Lsn is { } lsn ? $"at LSN {lsn}: " : "")}{Message}";
}

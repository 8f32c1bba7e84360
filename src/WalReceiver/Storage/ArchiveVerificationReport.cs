namespace WalReceiver.Storage;

/// <summary>What <see cref="ArchiveVerifier"/> found in an archive directory, and how much it read.</summary>
internal sealed class ArchiveVerificationReport
{
    /// <summary>The findings, ordered by file name, then LSN.</summary>
    public required IReadOnlyList<ArchiveFinding> Findings { get; init; }

    /// <summary>How many WAL files were read.</summary>
    public required int Files { get; init; }

    /// <summary>How many WAL bytes (decompressed) were checked.</summary>
    public required long Bytes { get; init; }

    /// <summary>How many records had their CRC checked and found right.</summary>
    public required long RecordsChecked { get; init; }

    /// <summary>How long the verification took.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The number of errors.</summary>
    public int Errors => Findings.Count(f => f.Severity == ArchiveFindingSeverity.Error);

    /// <summary>The number of warnings.</summary>
    public int Warnings => Findings.Count(f => f.Severity == ArchiveFindingSeverity.Warning);
}

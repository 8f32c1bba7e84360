namespace WalReceiver.Storage;

/// <summary>What <see cref="ArchiveRestore"/> did with one request of recovery.</summary>
/// <param name="RestoredFrom">The archive file that was served (<c>NAME.zst</c>, <c>NAME.partial</c>...); null when none was.</param>
/// <param name="Bytes">How many bytes the restored file has (a served <c>.partial</c> counts its zero padding).</param>
/// <param name="UnservedPartial">
/// When nothing was served: a <c>.partial</c> of the segment that exists but was not asked for (no <c>--partial</c>), so
/// the operator can be told that WAL exists past the end of recovery.
/// </param>
internal sealed record RestoreResult(string? RestoredFrom, long Bytes, string? UnservedPartial)
{
    /// <summary>Whether a file was written to the destination.</summary>
    public bool Restored => RestoredFrom is not null;

    /// <summary>Nothing to serve: recovery treats this as the end of the archive.</summary>
    public static RestoreResult NotFound(string? unservedPartial = null) => new(null, 0, unservedPartial);
}

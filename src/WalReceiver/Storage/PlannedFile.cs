namespace WalReceiver.Storage;

/// <summary>One file a recovery will ask <c>restore_command</c> for, and what the archive has of it.</summary>
/// <param name="Name">The name recovery asks for (<c>%f</c>).</param>
/// <param name="StoredAs">The archive's file for it (compressed or <c>.partial</c> forms included), or null when it has none.</param>
/// <param name="Verified">Whether <c>verify</c> found no error in it: page headers, record CRCs, continuity and its manifest hash.</param>
/// <param name="Problem">What is wrong with it, if anything.</param>
internal sealed record PlannedFile(string Name, string? StoredAs, bool Verified, string? Problem)
{
    /// <summary>Whether the archive has it.</summary>
    public bool Present => StoredAs is not null;
}

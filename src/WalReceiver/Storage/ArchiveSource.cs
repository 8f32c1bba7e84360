namespace WalReceiver.Storage;

/// <summary>
/// Where <see cref="ArchiveVerifier"/> reads an archive from: a directory (<see cref="ArchiveDirectorySource"/>) or a
/// bucket prefix (in ObjectStorage). The verifier does every WAL check the same way for both; a source lists the files,
/// opens their stored bytes, and checks each file's stored SHA-256 against where it keeps hashes (the manifest, or each
/// object's metadata).
/// </summary>
internal abstract class ArchiveSource
{
    /// <summary>The archive's file names, sorted ordinally; names that are not archive files are left to the verifier to skip.</summary>
    public abstract IReadOnlyList<string> Names { get; }

    /// <summary>What the source found of its own (a manifest's bad lines, objects that are not archive files).</summary>
    public virtual IEnumerable<ArchiveFinding> Findings => [];

    /// <summary>Opens the stored bytes (compressed as stored) of <paramref name="name"/>, to be read once to the end.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public abstract Stream OpenStored(string name);

    /// <summary>Opens at least the first bytes of <paramref name="name"/> as stored: enough for its first page header.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public virtual Stream OpenStart(string name) => OpenStored(name);

    /// <summary>
    /// Says in which order the verifier is about to open files: <paramref name="names"/> with <see cref="OpenStored"/>
    /// (<paramref name="whole"/>) or <see cref="OpenStart"/>, so a source with slow opens (a bucket) can fetch a few ahead.
    /// </summary>
    public virtual void WillOpen(IReadOnlyList<string> names, bool whole)
    {
    }

    /// <summary>The text of the archive's identity marker (<see cref="ArchiveIdentity.FileName"/>), or null when it has none.</summary>
    public virtual string? IdentityMarker() => null;

    /// <summary>Whether the SHA-256 of <paramref name="name"/>'s stored bytes is wanted by <see cref="CheckStored"/>.</summary>
    public abstract bool WantsHash(string name);

    /// <summary>
    /// Checks a completed file's stored bytes, just read: <paramref name="sha256"/> is their SHA-256 in lower-case hex, or
    /// null when it was not computed or the file could not be read to its end.
    /// </summary>
    public abstract IEnumerable<ArchiveFinding> CheckStored(string name, string? sha256);
}

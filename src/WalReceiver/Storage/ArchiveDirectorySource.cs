namespace WalReceiver.Storage;

/// <summary>
/// An archive directory as <see cref="ArchiveVerifier"/> reads it: its files, and their hashes in the manifest
/// (<c>walreceiver.sha256</c>), read once when the source is made.
/// </summary>
internal sealed class ArchiveDirectorySource : ArchiveSource
{
    private readonly string _directory;
    private readonly Dictionary<string, string>? _manifest;
    private readonly List<ArchiveFinding> _findings = [];

    /// <summary>Lists <paramref name="directory"/> and reads its manifest.</summary>
    public ArchiveDirectorySource(string directory)
    {
        _directory = directory;
        var invalid = new List<string>();
        _manifest = ArchiveManifest.Read(directory, invalid);
        Names = [.. Directory.EnumerateFiles(directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];
        foreach (var line in invalid)
            Add(ArchiveFindingSeverity.Warning, ArchiveManifest.FileName, $"has a line that is not \"SHA-256, two spaces, file name\": \"{line}\"");
        if (_manifest is null)
            Add(ArchiveFindingSeverity.Info, ArchiveManifest.FileName, "does not exist, so no file was checked against a hash (archives written by pg_receivewal have none)");
        foreach (var gone in _manifest?.Keys.Except(Names, StringComparer.Ordinal) ?? [])
            Add(ArchiveFindingSeverity.Warning, gone, $"is listed in {ArchiveManifest.FileName}, but the file is gone");
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> Names { get; }

    /// <inheritdoc/>
    public override IEnumerable<ArchiveFinding> Findings => _findings;

    /// <inheritdoc/>
    public override Stream OpenStored(string name) => CompressedWal.OpenStored(Path.Combine(_directory, name));

    /// <inheritdoc/>
    public override string? IdentityMarker()
    {
        var marker = Path.Combine(_directory, ArchiveIdentity.FileName);
        return File.Exists(marker) ? File.ReadAllText(marker) : null;
    }

    /// <inheritdoc/>
    public override bool WantsHash(string name) => _manifest?.ContainsKey(name) == true;

    /// <inheritdoc/>
    /// <remarks>The manifest may not list history files; only a segment without a line is worth a warning.</remarks>
    public override IEnumerable<ArchiveFinding> CheckStored(string name, string? sha256)
    {
        if (_manifest is null)
            yield break;
        if (_manifest.GetValueOrDefault(name) is not { } expected)
        {
            if (!Wal.TimelineId.TryParseHistoryFileName(name, out _))
                yield return new(ArchiveFindingSeverity.Warning, name, null, $"is not in the manifest ({ArchiveManifest.FileName})");
        }
        else if (sha256 is not null && !string.Equals(sha256, expected, StringComparison.Ordinal))
        {
            yield return new(ArchiveFindingSeverity.Error, name, null,
                $"SHA-256 {sha256} differs from the manifest's {expected}: the stored file changed after it was completed");
        }
    }

    private void Add(ArchiveFindingSeverity severity, string file, string message) => _findings.Add(new ArchiveFinding(severity, file, null, message));
}

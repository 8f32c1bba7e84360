using WalReceiver.Wal;

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
        // Segments before the directory's first one are what --keep-local removes once they are in the bucket: one line
        // for all of them. A file missing anywhere else is worth a warning each.
        var first = Names.Where(ArchiveInspector.IsSegmentFile).Min(WalPositionOrder.Instance);
        var gone = _manifest?.Keys.Except(Names, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList() ?? [];
        var before = gone.Where(n => first is not null && ArchiveInspector.IsSegmentFile(n) && WalPositionOrder.Instance.Compare(n, first) < 0).ToList();
        if (before.Count > 0)
        {
            Add(ArchiveFindingSeverity.Info, ArchiveManifest.FileName,
                $"lists {before.Count} segments before the directory's first, {first} ({before[0]} to {before[^1]}): removed, by --keep-local " +
                "once uploaded or by hand");
        }

        foreach (var name in gone.Except(before, StringComparer.Ordinal))
            Add(ArchiveFindingSeverity.Warning, name, $"is listed in {ArchiveManifest.FileName}, but the file is gone");
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

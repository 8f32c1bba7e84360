namespace WalReceiver.Storage;

/// <summary>The manifest half of the archive verifier: stored files against <c>walreceiver.sha256</c>.</summary>
internal sealed partial class ArchiveVerifier
{
    private void ReadManifest()
    {
        var invalid = new List<string>();
        _manifest = ArchiveManifest.Read(_directory, invalid);
        foreach (var line in invalid)
            Add(ArchiveFindingSeverity.Warning, ArchiveManifest.FileName, null, $"has a line that is not \"SHA-256, two spaces, file name\": \"{line}\"");
        if (_manifest is null)
            Add(ArchiveFindingSeverity.Info, ArchiveManifest.FileName, null,
                "does not exist, so no file was checked against a hash (archives written by pg_receivewal have none)");
    }

    /// <summary>Checks a completed file's hash; <paramref name="actual"/> is null when it was not computed (no manifest line).</summary>
    private void CheckManifest(string name, string? actual)
    {
        if (_manifest is null)
            return;
        if (_manifest.GetValueOrDefault(name) is not { } expected)
            Add(ArchiveFindingSeverity.Warning, name, null, $"is not in the manifest ({ArchiveManifest.FileName})");
        else if (actual is not null)
            CheckHash(name, actual, expected);
    }

    private void CheckHash(string name, string actual, string expected)
    {
        if (!string.Equals(actual, expected, StringComparison.Ordinal))
            Add(ArchiveFindingSeverity.Error, name, null, $"SHA-256 {actual} differs from the manifest's {expected}: the stored file changed after it was completed");
    }
}

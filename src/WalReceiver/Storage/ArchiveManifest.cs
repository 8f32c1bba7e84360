using System.Text.RegularExpressions;

namespace WalReceiver.Storage;

/// <summary>
/// The archive's manifest, <c>walreceiver.sha256</c>: <c>sha256sum</c>'s output format, one line per completed file
/// (64 lower-case hex digits, two spaces, the file name as stored). Lines are appended, so the last line for a name wins.
/// </summary>
internal static partial class ArchiveManifest
{
    /// <summary>The manifest's file name in the archive directory.</summary>
    public const string FileName = "walreceiver.sha256";

    /// <summary>
    /// Reads the manifest of <paramref name="directory"/>: file name → SHA-256 (lower-case hex), or null when there is
    /// none (archives written by pg_receivewal have none). Lines that are not <c>sha256sum</c> lines go to <paramref name="invalid"/>.
    /// </summary>
    public static Dictionary<string, string>? Read(string directory, List<string> invalid)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            return null;
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0)
                continue;
            var match = Line().Match(line);
            if (match.Success)
                entries[match.Groups[2].Value] = match.Groups[1].Value;
            else
                invalid.Add(line);
        }

        return entries;
    }

    [GeneratedRegex("^([0-9a-f]{64})  ([^/]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Line();
}

using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Win32.SafeHandles;

namespace WalReceiver.Storage;

/// <summary>
/// <c>walreceiver.sha256</c>: the SHA-256 of every completed file as stored, one line per file in <c>sha256sum</c>'s
/// format (64 lower-case hex digits, two spaces, the file name), so bit rot in a file written long ago is found by
/// <c>walreceiver verify</c> or by <c>sha256sum -c walreceiver.sha256</c> without our binary.
/// </summary>
/// <remarks>
/// <para>SHA-256 because a manifest is only worth something if nothing else can match it: a CRC catches random flips but
/// not a deliberate or systematic change, and SHA-256 is what coreutils, pgBackRest and PostgreSQL's backup manifests
/// use. It costs little next to the write: the CPU's SHA extensions hash at GB/s.</para>
/// <para>A line is appended and fsynced before its file is renamed complete, so every complete file has one. A crash
/// between the two leaves a line for a name that is still <c>.partial</c>; the segment is streamed again and gets a new
/// line, and the last line for a name is the one that counts.</para>
/// </remarks>
internal sealed partial class ArchiveManifest(string directory, ArchiveFileModes modes, FileSync sync)
{
    /// <summary>The manifest's file name in the archive directory.</summary>
    public const string FileName = "walreceiver.sha256";

    /// <summary>The manifest's path.</summary>
    public string Path { get; } = System.IO.Path.Combine(directory, FileName);

    /// <summary>Appends the line for <paramref name="fileName"/> and makes it durable.</summary>
    public void Append(string fileName, ReadOnlySpan<byte> sha256)
    {
        var line = Encoding.ASCII.GetBytes($"{Convert.ToHexStringLower(sha256)}  {fileName}\n");
        var created = !File.Exists(Path);
        // Only one receiver writes to an archive (walreceiver.lock), so appending at the end read once is safe.
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = modes.File;
        using (var file = new FileStream(Path, options))
        {
            var handle = file.SafeFileHandle;
            var end = RandomAccess.GetLength(handle);
            // A crash in the middle of an earlier append can leave a line without its end; the new line must not join it.
            if (end > 0 && EndsWithoutNewline(handle, end))
                RandomAccess.Write(handle, "\n"u8, end++);
            RandomAccess.Write(handle, line, end);
            sync.File(handle);
        }

        if (created)
            sync.Directory(directory);
    }

    /// <summary>
    /// Reads the manifest of <paramref name="directory"/>: file name → SHA-256 (lower-case hex), the last line for a name
    /// winning; null when there is none (archives written by pg_receivewal have none). Lines that are not
    /// <c>sha256sum</c> lines (such as the unfinished line a crash during an append leaves) go to
    /// <paramref name="invalid"/>; empty lines are skipped.
    /// </summary>
    public static Dictionary<string, string>? Read(string directory, List<string>? invalid = null)
    {
        var path = System.IO.Path.Combine(directory, FileName);
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
                invalid?.Add(line);
        }

        return entries;
    }

    private static bool EndsWithoutNewline(SafeFileHandle handle, long length)
    {
        Span<byte> last = stackalloc byte[1];
        return RandomAccess.Read(handle, last, length - 1) == 1 && last[0] != (byte)'\n';
    }

    // The name is the archive file's own name: never a path, so a line can never point outside the archive.
    [GeneratedRegex("^([0-9a-f]{64})  ([^/]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Line();
}

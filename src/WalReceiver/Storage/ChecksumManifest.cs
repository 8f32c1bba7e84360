using System.Text;
using Microsoft.Win32.SafeHandles;

namespace WalReceiver.Storage;

/// <summary>
/// <c>walreceiver.sha256</c>: the SHA-256 of every completed file as stored, one line per file in <c>sha256sum</c>'s
/// format, so bit rot in a file written long ago is found by <c>walreceiver verify</c> or by
/// <c>sha256sum -c walreceiver.sha256</c> without our binary.
/// </summary>
/// <remarks>
/// <para>SHA-256 because a manifest is only worth something if nothing else can match it: a CRC catches random flips but
/// not a deliberate or systematic change, and SHA-256 is what coreutils, pgBackRest and PostgreSQL's backup manifests
/// use. It costs little next to the write: the CPU's SHA extensions hash at GB/s.</para>
/// <para>A line is appended and fsynced before its file is renamed complete, so every complete file has one. A crash
/// between the two leaves a line for a name that is still <c>.partial</c>; the segment is streamed again and gets a new
/// line, and the last line for a name is the one that counts.</para>
/// </remarks>
internal sealed class ChecksumManifest(string directory, ArchiveFileModes modes, FileSync sync)
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
    /// Reads the manifest: the last hash recorded for each file name (lower-case hex). Lines that are not
    /// <c>HASH  NAME</c> are returned in <paramref name="malformed"/> by line number.
    /// </summary>
    public static Dictionary<string, string> Read(string path, List<int>? malformed = null)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
            return result;
        var number = 0;
        foreach (var line in File.ReadLines(path, Encoding.ASCII))
        {
            number++;
            if (line.Length > 66 && line[64] == ' ' && line[65] == ' ' && IsLowerHex(line.AsSpan(0, 64)))
                result[line[66..]] = line[..64];
            else if (line.Length > 0)
                malformed?.Add(number);
        }

        return result;
    }

    private static bool EndsWithoutNewline(SafeFileHandle handle, long length)
    {
        Span<byte> last = stackalloc byte[1];
        return RandomAccess.Read(handle, last, length - 1) == 1 && last[0] != (byte)'\n';
    }

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
                return false;
        }

        return true;
    }
}

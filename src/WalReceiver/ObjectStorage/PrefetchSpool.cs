using System.Security.Cryptography;
using System.Text;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.ObjectStorage;

/// <summary>
/// The directory where a bucket restore keeps the segments it fetched ahead: objects as stored (still compressed), each
/// beside a <c>NAME.source</c> file that records where it came from (the bucket location and endpoint) and its ETag.
/// As a source of <see cref="ArchiveRestore"/> it serves only files of the restore's own origin whose MD5 is still that
/// ETag, so the usual checks then see the same bytes the bucket would have sent.
/// </summary>
/// <remarks>
/// It lives next to <c>%p</c>, in <c>pg_wal/.walreceiver-prefetch/</c> under <c>restore_command</c>: a directory the
/// server's OS user can write, on the file system the WAL goes to (its space is the WAL's), and private to the one data
/// directory being recovered, so two recoveries on one host never share it. PostgreSQL only looks at WAL file names in
/// pg_wal and leaves the directory alone. Nothing here is fsynced: a file cut by a crash fails the MD5 check and is fetched
/// again; every file is written under a temporary name and renamed, so no reader sees one half-written.
/// </remarks>
internal sealed class PrefetchSpool(string destination, string origin) : IRestoreSource
{
    /// <summary>The spool's directory name, next to the destination.</summary>
    public const string DirectoryName = ".walreceiver-prefetch";

    private const string SourceSuffix = ".source";

    /// <summary>The spool directory.</summary>
    public string Directory { get; } = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(destination))!, DirectoryName);

    /// <inheritdoc/>
    /// <remarks>Complete forms only; a file whose origin is another archive, or that cannot be looked at, is not there.</remarks>
    public StoredFile? Find(string fileName, bool partials, bool completes = true)
    {
        foreach (var (name, algorithm, _) in CompressedWal.Candidates(fileName, partials: false, completes))
        {
            var path = Path.Combine(Directory, name);
            if (ETagOf(path) is not null)
                return new StoredFile(name, path, algorithm, IsPartial: false);
        }

        return null;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The file's MD5 is not the ETag it was fetched with (changed or cut since): damage.</exception>
    public Stream OpenStored(StoredFile file, CancellationToken cancellationToken)
    {
        var etag = ETagOf(file.Path) ?? throw new FileNotFoundException($"{file.Path} left the prefetch spool", file.Path);
        var stream = CompressedWal.OpenStored(file.Path);
        try
        {
            var md5 = Md5Hex(stream);
            if (md5 != etag)
                throw new InvalidDataException($"its MD5 {md5} is not the ETag {etag} of the object it was fetched from");
            stream.Position = 0;
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Whether the spool holds a complete form of <paramref name="fileName"/> from this origin (not checked further).</summary>
    public bool Holds(string fileName) => Find(fileName, partials: false) is not null;

    /// <summary>
    /// Stores the body of <paramref name="item"/> read from <paramref name="body"/>; false (nothing stored) when its MD5 is
    /// not the object's ETag (a body cut short, or an ETag that is not an MD5, as of a multipart upload).
    /// </summary>
    public async Task<bool> StoreAsync(BucketObject item, Stream body, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, item.File.Name);
        var temporary = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{path}.walreceiver-{Environment.ProcessId}.tmp");
        var sidecarTemporary = temporary + SourceSuffix;
        try
        {
            string md5;
            await using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                // MD5 because S3 speaks it (the ETag of a single-part upload); the segment checks still run when it is served.
#pragma warning disable CA5351
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
                var buffer = new byte[1 << 16];
                int n;
                while ((n = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                }

                md5 = Convert.ToHexStringLower(hash.GetHashAndReset());
            }

            if (md5 != item.ETag)
                return false;
            await File.WriteAllTextAsync(sidecarTemporary, Sidecar(item.ETag), cancellationToken);
            // The record first: a reader that sees the new file with the old record rejects it on the MD5, never the reverse.
            File.Move(sidecarTemporary, path + SourceSuffix, overwrite: true);
            File.Move(temporary, path, overwrite: true);
            return true;
        }
        finally
        {
            File.Delete(temporary);
            File.Delete(sidecarTemporary);
        }
    }

    /// <summary>
    /// Removes every file of a segment at or before <paramref name="served"/>'s position (on any timeline; their records
    /// and temporary files too): recovery has gone past them. Failures are ignored; the spool is only a cache.
    /// </summary>
    public void Prune(string served)
    {
        try
        {
            if (!System.IO.Directory.Exists(Directory))
                return;
            foreach (var path in System.IO.Directory.EnumerateFiles(Directory))
            {
                var name = Path.GetFileName(path);
                if (name.Length >= WalFileName.Length && WalFileName.IsUpperHex(name.AsSpan(0, WalFileName.Length))
                    && string.CompareOrdinal(name, 8, served, 8, WalFileName.Length - 8) <= 0)
                    File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next restore to remove.
        }
    }

    private string Sidecar(string etag) => $"{origin}\n{etag}\n";

    /// <summary>The ETag recorded for <paramref name="path"/> when the file exists and its record names this origin; else null.</summary>
    private string? ETagOf(string path)
    {
        try
        {
            if (!File.Exists(path))
                return null;
            var lines = File.ReadAllText(path + SourceSuffix, Encoding.UTF8).Split('\n');
            return lines.Length >= 2 && lines[0] == origin && lines[1].Length > 0 ? lines[1] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Md5Hex(Stream stream)
    {
#pragma warning disable CA5351 // S3's ETag is an MD5
        return Convert.ToHexStringLower(MD5.HashData(stream));
#pragma warning restore CA5351
    }
}

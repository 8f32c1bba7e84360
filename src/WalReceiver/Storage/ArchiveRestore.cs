using WalReceiver.Diagnostics;
using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// Serves one file of the archive to recovery, as <c>restore_command</c> does: finds it in any stored form, checks it,
/// decompresses it and writes it durably to the destination, so that recovery either gets the whole file or learns that
/// the archive does not have it. Never a half-written destination, never a damaged file passed off as WAL.
/// </summary>
/// <remarks>
/// Failures are <see cref="WalReceiverException"/>s; their kind says what went wrong (a bad name is
/// <see cref="FailureKind.Usage"/>, a missing archive <see cref="FailureKind.Configuration"/>, a file that does not hold
/// what its name promises <see cref="FailureKind.ArchiveDamage"/>, a failed write <see cref="FailureKind.Transient"/>).
/// The command line turns every one of them into the code that makes PostgreSQL stop recovery.
/// </remarks>
internal static class ArchiveRestore
{
    private const int MaxLookups = 3;

    /// <summary>
    /// Copies <paramref name="fileName"/> from the archive directory <paramref name="archive"/> to
    /// <paramref name="destination"/> (see <see cref="Restore(IRestoreSource, string, string, bool, FileSync, CancellationToken)"/>).
    /// </summary>
    /// <param name="archive">The archive directory.</param>
    /// <param name="fileName">What recovery asks for (<c>%f</c>).</param>
    /// <param name="destination">Where recovery wants it (<c>%p</c>).</param>
    /// <param name="servePartial">Whether a segment's <c>.partial</c> is served when no complete file exists.</param>
    /// <param name="sync">How the destination reaches the disk.</param>
    /// <param name="cancellationToken">Stops the copy (a signal); the temporary file is removed.</param>
    public static RestoreResult Restore(string archive, string fileName, string destination, bool servePartial, FileSync sync,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        // The request is checked before the archive: a bad %f is the same usage error whatever -D says.
        CheckRequest(fileName, destination);
        return Restore(new DirectoryRestoreSource(archive), fileName, destination, servePartial, sync, cancellationToken);
    }

    /// <summary>
    /// Copies <paramref name="fileName"/> from <paramref name="archive"/> to <paramref name="destination"/> (relative
    /// paths are relative to the current directory, the server's data directory under <c>restore_command</c>).
    /// </summary>
    /// <param name="archive">Where the stored forms are: the archive directory, a bucket, a prefetch spool.</param>
    /// <param name="fileName">What recovery asks for (<c>%f</c>): a segment, timeline history or backup history file name.</param>
    /// <param name="destination">Where recovery wants it (<c>%p</c>), usually <c>pg_wal/RECOVERYXLOG</c>.</param>
    /// <param name="servePartial">
    /// When no complete file exists, serve the segment's <c>.partial</c> padded with zeros to the segment size: the newest
    /// WAL the archive holds, which a recovery after losing the primary must not leave behind.
    /// </param>
    /// <param name="sync">How the destination reaches the disk.</param>
    /// <param name="cancellationToken">Stops the copy (a signal); the temporary file is removed.</param>
    public static RestoreResult Restore(IRestoreSource archive, string fileName, string destination, bool servePartial, FileSync sync,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(sync);
        var kind = CheckRequest(fileName, destination);
        for (var attempt = 1; ; attempt++)
        {
            var source = archive.Find(fileName, servePartial && kind == ArchiveFileKind.Segment);
            if (source is null)
            {
                var unserved = kind == ArchiveFileKind.Segment && !servePartial
                    ? archive.Find(fileName, partials: true, completes: false)
                    : null;
                return RestoreResult.NotFound(unserved?.Name);
            }

            try
            {
                var bytes = Copy(archive, source, fileName, kind, Path.GetFullPath(destination), sync, cancellationToken);
                return bytes is { } n ? new RestoreResult(source.Name, n, null) : RestoreResult.NotFound();
            }
            catch (FileNotFoundException e)
            {
                // A running receiver completed the segment (NAME.partial became NAME) between the look-up and the open:
                // look again. Only a file that keeps vanishing is an error.
                if (attempt == MaxLookups)
                    throw new WalReceiverException(FailureKind.Transient, $"could not open \"{source.Path}\": {e.Message.TrimEnd('.')}", e);
            }
        }
    }

    /// <summary>
    /// Checks what restore_command passed: <paramref name="fileName"/> must be an archive file name (never a path) and
    /// <paramref name="destination"/> not empty. Returns the kind of file asked for.
    /// </summary>
    public static ArchiveFileKind CheckRequest(string fileName, string destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!ArchiveFileName.TryClassify(fileName, out var kind))
            throw new WalReceiverException(FailureKind.Usage,
                $"\"{fileName}\" is not a WAL segment, timeline history or backup history file name; restore_command must pass %f " +
                "as the file name and %p as the destination (walreceiver restore -D DIR %f %p)");
        if (string.IsNullOrEmpty(destination))
            throw new WalReceiverException(FailureKind.Usage, "the destination path is empty; restore_command must pass %p");
        return kind;
    }

    /// <summary>
    /// Writes the file to a temporary name next to <paramref name="destination"/>, fsyncs it, renames it and fsyncs the
    /// directory; removes the temporary file on any failure. Returns the bytes written, or null when a <c>.partial</c>
    /// holds no WAL at all (shorter than a page header).
    /// </summary>
    private static long? Copy(IRestoreSource archive, StoredFile source, string fileName, ArchiveFileKind kind, string destination, FileSync sync,
        CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(destination)!;
        // Unique per process: two restores to the same destination never write into each other's file.
        var temporary = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{destination}.walreceiver-{Environment.ProcessId}.tmp");
        try
        {
            long? written;
            using (var input = OpenSource(archive, source, cancellationToken))
            using (var output = CreateTemporary(temporary))
            {
                // A signal removes the file at once, even while a read hangs (the process may be ended before it returns).
                using var removeOnCancel = cancellationToken.Register(() => TryDelete(temporary));
                var copy = new SegmentCopy(source, fileName, input, output, temporary, cancellationToken);
                written = kind == ArchiveFileKind.Segment ? copy.Segment() : copy.Whole();
                if (written is null)
                    return null;
                Write(temporary, "fsync", () => sync.File(output.SafeFileHandle));
            }

            Write(destination, "rename", () => File.Move(temporary, destination, overwrite: true));
            Write(directory, "fsync", () => sync.Directory(directory));
            return written;
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    private static Stream OpenSource(IRestoreSource archive, StoredFile source, CancellationToken cancellationToken)
    {
        Stream? stored = null;
        try
        {
            stored = archive.OpenStored(source, cancellationToken);
            return CompressedWal.Decompress(stored, source.Algorithm);
        }
        catch (Exception e) when (CompressedWal.IsDamage(e))
        {
            stored?.Dispose();
            throw SegmentCopy.Damaged(source, $"it cannot be decompressed ({e.Message.TrimEnd('.')})", e);
        }
        catch (Exception e) when (e is (IOException and not FileNotFoundException) or UnauthorizedAccessException)
        {
            stored?.Dispose();
            throw new WalReceiverException(e is UnauthorizedAccessException ? FailureKind.Configuration : FailureKind.Transient,
                $"could not open \"{source.Path}\": {e.Message.TrimEnd('.')}", e);
        }
    }

    private static FileStream CreateTemporary(string temporary)
    {
        try
        {
            // The server's umask decides the mode, as for the files it writes itself.
            return new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WriteFailure(temporary, "create", e);
        }
    }

    /// <summary>Runs one step of writing the destination; its failure names the file and the step.</summary>
    internal static void Write(string path, string step, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WriteFailure(path, step, e);
        }
    }

    private static WalReceiverException WriteFailure(string path, string step, Exception e) =>
        new(e is UnauthorizedAccessException ? FailureKind.Configuration : FailureKind.Transient,
            $"could not {step} \"{path}\": {e.Message.TrimEnd('.')}", e);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do: the failure that brought us here is what the caller reports.
        }
    }
}

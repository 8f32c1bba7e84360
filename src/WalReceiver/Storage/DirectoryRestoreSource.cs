using WalReceiver.Diagnostics;

namespace WalReceiver.Storage;

/// <summary>The archive directory as a source of <see cref="ArchiveRestore"/>: each stored form is a file named after it.</summary>
internal sealed class DirectoryRestoreSource : IRestoreSource
{
    private readonly string _archive;

    /// <summary>A source for <paramref name="archive"/>, which must exist (a missing one is a configuration error, not "not found").</summary>
    public DirectoryRestoreSource(string archive)
    {
        ArgumentNullException.ThrowIfNull(archive);
        if (!Directory.Exists(archive))
            throw new WalReceiverException(FailureKind.Configuration,
                $"archive directory \"{archive}\" does not exist or cannot be reached; fix -D in restore_command");
        _archive = archive;
    }

    /// <inheritdoc/>
    public StoredFile? Find(string fileName, bool partials, bool completes = true)
    {
        foreach (var (name, algorithm, partial) in CompressedWal.Candidates(fileName, partials, completes))
        {
            var path = Path.Combine(_archive, name);
            if (IsFile(path))
                return new StoredFile(name, path, algorithm, partial);
        }

        return null;
    }

    /// <inheritdoc/>
    public Stream OpenStored(StoredFile file, CancellationToken cancellationToken) => CompressedWal.OpenStored(file.Path);

    /// <summary>
    /// Whether <paramref name="path"/> is a regular file; a directory that cannot be searched is an error, not "not found"
    /// (recovery would end early).
    /// </summary>
    private bool IsFile(string path)
    {
        try
        {
            return (File.GetAttributes(path) & FileAttributes.Directory) == 0;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new WalReceiverException(FailureKind.Configuration,
                $"could not look for \"{Path.GetFileName(path)}\" in archive directory \"{_archive}\": {e.Message.TrimEnd('.')}. " +
                "The server's OS user needs read and search permission on the archive", e);
        }
    }
}

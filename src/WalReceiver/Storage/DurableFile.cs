namespace WalReceiver.Storage;

/// <summary>Small files written whole: to a temporary name, fsynced, renamed, and the directory fsynced.</summary>
internal static class DurableFile
{
    /// <summary>Writes <paramref name="content"/> as <paramref name="path"/> so that a crash leaves either nothing or all of it.</summary>
    public static void Write(string path, ReadOnlySpan<byte> content, ArchiveFileModes modes, FileSync sync)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = modes.File;
        using (var file = new FileStream(temporary, options))
        {
            file.Write(content);
            sync.File(file.SafeFileHandle);
        }

        File.Move(temporary, path, overwrite: false);
        sync.Directory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
}

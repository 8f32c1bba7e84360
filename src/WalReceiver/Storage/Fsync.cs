using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace WalReceiver.Storage;

/// <summary>
/// fsync of a directory, which .NET has no API for: after a create or rename the directory entry itself must reach
/// the disk, or a crash can lose the file's name even though its bytes were synced.
/// </summary>
internal static partial class Fsync
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000; // O_DIRECTORY on Linux

    /// <summary>fsyncs the directory <paramref name="path"/>; throws an <see cref="IOException"/> naming it on failure.</summary>
    public static void DirectoryEntries(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
            return; // Windows flushes directory metadata with the file; there is nothing to call.
        var fd = Open(path, ReadOnly | (OperatingSystem.IsLinux() ? Directory : 0));
        if (fd < 0)
            throw new IOException($"could not open directory \"{path}\" to fsync it: {Marshal.GetLastPInvokeErrorMessage()}");
        try
        {
            if (FsyncNative(fd) != 0)
                throw new IOException($"could not fsync directory \"{path}\": {Marshal.GetLastPInvokeErrorMessage()}");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Asks Linux to start writing <paramref name="count"/> bytes at <paramref name="offset"/> of the file to disk now,
    /// without waiting (<c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>): a hint that guarantees nothing, so it reports no
    /// error (an I/O error shows at the fsync that follows). Does nothing on other systems.
    /// </summary>
    public static void StartWriteback(SafeFileHandle handle, long offset, long count)
    {
        if (OperatingSystem.IsLinux())
            _ = SyncFileRange(handle, offset, count, SyncFileRangeWrite);
    }

    /// <summary>
    /// Tells Linux the file's cached pages will not be read again soon (<c>posix_fadvise(POSIX_FADV_DONTNEED)</c>): clean
    /// ones are dropped from the page cache at once. A hint: no error is reported. Does nothing on other systems.
    /// </summary>
    public static void DropCachedPages(SafeFileHandle handle)
    {
        if (OperatingSystem.IsLinux())
            _ = PosixFadvise(handle, 0, 0, PosixFadviseDontNeed);
    }

    private const uint SyncFileRangeWrite = 2;
    private const int PosixFadviseDontNeed = 4;

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(SafeFileHandle fd, long offset, long length, int advice);

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(SafeFileHandle fd, long offset, long count, uint flags);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncNative(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}

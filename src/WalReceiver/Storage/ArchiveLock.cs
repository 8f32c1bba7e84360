using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using WalReceiver.Diagnostics;

namespace WalReceiver.Storage;

/// <summary>
/// One writer per archive: an exclusive <c>flock</c> on <c>walreceiver.lock</c> in the directory, held while the receiver
/// runs and released by the kernel when the process ends however it ends (so a crash never leaves a stale lock). The
/// file holds the owner's process id, to name it when a second receiver is refused. pg_receivewal and restore_command
/// ignore the file.
/// </summary>
/// <remarks>
/// Plain system calls rather than <see cref="FileStream"/>: .NET takes advisory locks of its own on the files it opens,
/// which would stop the second receiver from even reading who holds the lock.
/// </remarks>
internal sealed partial class ArchiveLock : IDisposable
{
    /// <summary>The lock file's name.</summary>
    public const string FileName = "walreceiver.lock";

    private const int ReadOnly = 0;
    private const int ReadWrite = 2;
    private const int Create = 0x40; // O_CREAT on Linux
    private const int CloseOnExec = 0x80000; // O_CLOEXEC on Linux
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int WouldBlock = 11; // EWOULDBLOCK (EAGAIN) on Linux

    private int _fd;

    private ArchiveLock(int fd) => _fd = fd;

    /// <summary>
    /// Takes the lock of <paramref name="directory"/>, or throws a <see cref="FailureKind.Configuration"/> failure naming
    /// the process that holds it. Call before anything in the directory is read or written.
    /// </summary>
    public static ArchiveLock Acquire(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!OperatingSystem.IsLinux())
            return new ArchiveLock(-1); // flock and these flag values are Linux's; elsewhere the lock is not enforced
        var fd = Open(path, ReadWrite | Create | CloseOnExec, (int)ArchiveFileModes.OwnerOnly.File);
        if (fd < 0)
        {
            var error = Marshal.GetLastPInvokeErrorMessage();
            throw new WalReceiverException(Marshal.GetLastPInvokeError() == 13 ? FailureKind.Configuration : FailureKind.Transient,
                $"could not open \"{path}\" to lock the archive: {error}. Fix the directory's owner or permissions");
        }

        if (Flock(fd, LockExclusive | LockNonBlocking) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var error = Marshal.GetLastPInvokeErrorMessage();
            _ = CloseNative(fd);
            if (errno != WouldBlock)
                throw new WalReceiverException(FailureKind.Transient, $"could not lock \"{path}\": {error}");
            var owner = ReadOwner(path);
            throw new WalReceiverException(FailureKind.Configuration,
                $"the archive directory \"{directory}\" is in use by another receiver ({(owner is null ? "process unknown" : "process " + owner)}, " +
                $"holding {FileName}): two receivers would interleave their writes. Stop the other one, or give this one a directory of its own");
        }

        var content = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        _ = Truncate(fd, 0);
        _ = WriteAt(fd, content, content.Length, 0); // only informative: a failure here does not weaken the lock
        return new ArchiveLock(fd);
    }

    /// <summary>The process id recorded in the lock file, or null when it cannot be read.</summary>
    public static string? ReadOwner(string path)
    {
        var fd = Open(path, ReadOnly | CloseOnExec, 0);
        if (fd < 0)
            return null;
        try
        {
            var buffer = new byte[32];
            var n = ReadAt(fd, buffer, buffer.Length, 0);
            var text = n > 0 ? Encoding.ASCII.GetString(buffer, 0, (int)n).Trim() : "";
            return text.Length > 0 && text.All(char.IsAsciiDigit) ? text : null;
        }
        finally
        {
            _ = CloseNative(fd);
        }
    }

    /// <summary>Releases the lock (the process ending releases it too).</summary>
    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
            _ = CloseNative(fd);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int Truncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    private static partial nint WriteAt(int fd, byte[] buffer, nint count, long offset);

    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static partial nint ReadAt(int fd, byte[] buffer, nint count, long offset);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseNative(int fd);
}

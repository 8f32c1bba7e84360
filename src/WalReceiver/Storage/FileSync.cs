using Microsoft.Win32.SafeHandles;

namespace WalReceiver.Storage;

/// <summary>
/// How written bytes and directory entries reach the disk: fsync of the file, and of its directory after a create or
/// rename. <see cref="Disk"/> is the only one a user can choose (<see cref="None"/> is <c>--no-sync</c>); tests derive a
/// failing one to prove what happens when the kernel reports an I/O error.
/// </summary>
internal class FileSync
{
    /// <summary>fsync for real.</summary>
    public static readonly FileSync Disk = new();

    /// <summary>Never fsync (<c>--no-sync</c>): a crash of the machine can lose what the archive reported as flushed.</summary>
    public static readonly FileSync None = new NoSync();

    /// <summary>Whether this one calls fsync at all.</summary>
    public virtual bool Syncs => true;

    /// <summary>fsyncs an open file; throws an <see cref="IOException"/> when the kernel reports an error.</summary>
    public virtual void File(SafeFileHandle handle) => RandomAccess.FlushToDisk(handle);

    /// <summary>fsyncs the entries of a directory; throws an <see cref="IOException"/> naming it on error.</summary>
    public virtual void Directory(string path) => Fsync.DirectoryEntries(path);

    private sealed class NoSync : FileSync
    {
        public override bool Syncs => false;

        public override void File(SafeFileHandle handle)
        {
        }

        public override void Directory(string path)
        {
        }
    }
}

using Microsoft.Win32.SafeHandles;
using WalReceiver.Storage;

namespace WalReceiver.Tests.Storage;

/// <summary>
/// fsync that works for real until told to fail, then fails every time as Linux does after a writeback error (EIO): the
/// seam that proves what the receiver does when the kernel says the bytes may not be on disk.
/// </summary>
internal sealed class FailingFileSync : FileSync
{
    private int _fileSyncsLeft;
    private int _directorySyncsLeft;

    /// <param name="fileSyncsBeforeFailing">File fsyncs that succeed before every later one fails (int.MaxValue: never fails).</param>
    /// <param name="directorySyncsBeforeFailing">The same for directories.</param>
    public FailingFileSync(int fileSyncsBeforeFailing = int.MaxValue, int directorySyncsBeforeFailing = int.MaxValue)
    {
        _fileSyncsLeft = fileSyncsBeforeFailing;
        _directorySyncsLeft = directorySyncsBeforeFailing;
    }

    /// <summary>File fsyncs that succeeded.</summary>
    public int FileSyncs { get; private set; }

    /// <summary>Failed fsyncs of any kind.</summary>
    public int Failures { get; private set; }

    /// <summary>Makes every later file fsync fail.</summary>
    public void FailFilesFromNow() => Interlocked.Exchange(ref _fileSyncsLeft, 0);

    public override void File(SafeFileHandle handle)
    {
        if (Interlocked.Decrement(ref _fileSyncsLeft) < 0)
        {
            Failures++;
            throw new IOException("Input/output error");
        }

        base.File(handle);
        FileSyncs++;
    }

    public override void Directory(string path)
    {
        if (Interlocked.Decrement(ref _directorySyncsLeft) < 0)
        {
            Failures++;
            throw new IOException($"could not fsync directory \"{path}\": Input/output error");
        }

        base.Directory(path);
    }
}

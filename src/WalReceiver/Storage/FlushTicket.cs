using Microsoft.Win32.SafeHandles;
using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// An fsync begun by <see cref="WalSegmentWriter.BeginFlush"/> and run by another thread: the file, its path (for the
/// error), and how far the stream was written when it began; once the fsync returns, everything before
/// <see cref="Position"/> is on disk.
/// </summary>
internal sealed record FlushTicket(SafeFileHandle Handle, string Path, Lsn Position);

using WalReceiver.Tests.Wal;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Hosting;

/// <summary>Valid WAL for fake sources (the streaming loop verifies every record): records of random sizes, ending on a record boundary.</summary>
internal static class TestWal
{
    /// <summary>At least <paramref name="length"/> bytes of WAL from <paramref name="start"/>, in 1 MB segments; the last record ends the array.</summary>
    public static byte[] Make(Lsn start, int length, int seed = 1) =>
        new WalBuilder(new WalSegmentSize(1 << 20), start, seed).Fill(start + (ulong)length).ToArray();
}

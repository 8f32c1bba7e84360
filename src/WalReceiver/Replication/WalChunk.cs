using WalReceiver.Wal;

namespace WalReceiver.Replication;

/// <summary>
/// The WAL bytes of one XLogData message, copied out of Npgsql's reused message. <see cref="Data"/> is a view of a
/// buffer the source reuses: valid only until the next message is requested.
/// </summary>
/// <param name="Start">The LSN of the first byte (the message's WalStart).</param>
/// <param name="Data">The bytes.</param>
internal readonly record struct WalChunk(Lsn Start, ReadOnlyMemory<byte> Data)
{
    /// <summary>The LSN just past the last byte: WalStart + length, never the message's WalEnd (the server's end).</summary>
    public Lsn End => Start + (ulong)Data.Length;
}

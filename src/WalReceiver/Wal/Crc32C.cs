using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WalReceiver.Wal;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of WAL records: reflected polynomial 0x82F63B78, initial value and final XOR
/// 0xFFFFFFFF. Uses the processor's CRC32 instruction through <see cref="BitOperations.Crc32C(uint, ulong)"/>.
/// </summary>
internal static class Crc32C
{
    /// <summary>The running value before any byte (PostgreSQL's <c>INIT_CRC32C</c>).</summary>
    public const uint Initial = 0xFFFFFFFF;

    /// <summary>The checksum of <paramref name="data"/> in one call.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Initial, data));

    /// <summary>Adds <paramref name="data"/> to a running value; start from <see cref="Initial"/>, end with <see cref="Finish"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        // Eight bytes per instruction; unaligned 64-bit reads are fine on x64 and arm64.
        ref var p = ref MemoryMarshal.GetReference(data);
        var n = data.Length;
        var i = 0;
        for (; i + 32 <= n; i += 32)
        {
            crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
            crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 8)));
            crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 16)));
            crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 24)));
        }

        for (; i + 8 <= n; i += 8)
            crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
        for (; i < n; i++)
            crc = BitOperations.Crc32C(crc, Unsafe.Add(ref p, i));
        return crc;
    }

    /// <summary>The checksum from a running value (PostgreSQL's <c>FIN_CRC32C</c>).</summary>
    public static uint Finish(uint crc) => crc ^ 0xFFFFFFFF;
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WalReceiver.Wal;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of WAL records: reflected polynomial 0x82F63B78, initial value and final XOR
/// 0xFFFFFFFF. Uses the processor's CRC32 instruction through <see cref="BitOperations.Crc32C(uint, ulong)"/>, over three
/// independent streams where the span is long enough (<see cref="Crc32C.AppendInterleaved"/>).
/// </summary>
internal static partial class Crc32C
{
    /// <summary>The running value before any byte (PostgreSQL's <c>INIT_CRC32C</c>).</summary>
    public const uint Initial = 0xFFFFFFFF;

    /// <summary>The checksum of <paramref name="data"/> in one call.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Initial, data));

    /// <summary>Adds <paramref name="data"/> to a running value; start from <see cref="Initial"/>, end with <see cref="Finish"/>.</summary>
    // Fully optimized from the first call: it runs millions of times in the first seconds of a catch-up, before tiering
    // would have promoted it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        ref var p = ref MemoryMarshal.GetReference(data);
        var n = data.Length;
        var done = 0;
        if (n >= InterleaveMinLength && CanInterleave)
            crc = AppendInterleaved(crc, ref p, n, out done);
        return AppendSerial(crc, ref Unsafe.Add(ref p, done), n - done);
    }

    /// <summary>The same as <see cref="Append"/> over one stream, eight bytes per instruction: the reference the interleaved path is tested against.</summary>
    public static uint AppendSerial(uint crc, ReadOnlySpan<byte> data) => AppendSerial(crc, ref MemoryMarshal.GetReference(data), data.Length);

    /// <summary>The checksum from a running value (PostgreSQL's <c>FIN_CRC32C</c>).</summary>
    public static uint Finish(uint crc) => crc ^ 0xFFFFFFFF;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint AppendSerial(uint crc, ref byte p, int n)
    {
        // Unaligned 64-bit reads are fine on x64 and arm64. The tail takes at most three instructions, not seven.
        var i = 0;
        for (; i + 8 <= n; i += 8)
            crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
        if ((n & 4) != 0)
        {
            crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i)));
            i += 4;
        }

        if ((n & 2) != 0)
        {
            crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref p, i)));
            i += 2;
        }

        if ((n & 1) != 0)
            crc = BitOperations.Crc32C(crc, Unsafe.Add(ref p, i));
        return crc;
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ArmAes = System.Runtime.Intrinsics.Arm.Aes;
using ArmCrc32 = System.Runtime.Intrinsics.Arm.Crc32;
using System.Runtime.Intrinsics.X86;

namespace WalReceiver.Wal;

/// <summary>
/// The three-stream half of <see cref="Crc32C"/>. The CRC32 instruction has a latency of three cycles but takes a new
/// input every cycle, so one dependent chain uses a third of it: a span is cut into three lanes whose CRCs run side by
/// side, then joined. CRC is linear, so the CRC of <c>A‖B</c> from register <c>a</c> is <c>a·x^(8|B|) mod P</c> xor the
/// CRC of <c>B</c> from zero; the shift is one carry-less multiply by a precomputed power of x, reduced by one CRC32.
/// </summary>
internal static partial class Crc32C
{
    /// <summary>
    /// Below this many bytes one lane is as fast: the join costs about 10 cycles, and the processor already overlaps the
    /// chains of consecutive small records (measured on WAL of 200-byte records: one lane 25 ns per record, three 32 ns).
    /// </summary>
    internal const int InterleaveMinLength = 512;

    // Longest lane, in 8-byte words: longer spans are done as several blocks of three lanes.
    private const int MaxLaneWords = 128;

    private const uint Polynomial = 0x82F63B78; // reflected

    // ShiftBy1[w] and ShiftBy2[w] multiply a register by x^(64w) and x^(128w) (w or 2w lanes of w words); see Shift.
    private static readonly uint[] ShiftBy1 = ShiftTable(1);
    private static readonly uint[] ShiftBy2 = ShiftTable(2);

    /// <summary>Whether this processor has both the CRC32 and the carry-less multiply instructions the lanes need.</summary>
    internal static bool CanInterleave =>
        (Sse42.X64.IsSupported && Pclmulqdq.IsSupported) || (ArmCrc32.Arm64.IsSupported && ArmAes.IsSupported);

    /// <summary>Adds the largest multiple of 24 bytes of <paramref name="n"/> at <paramref name="p"/>; <paramref name="done"/> says how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint AppendInterleaved(uint crc, ref byte p, int n, out int done)
    {
        done = 0;
        while (n - done >= 3 * sizeof(ulong))
        {
            var words = Math.Min((n - done) / (3 * sizeof(ulong)), MaxLaneWords);
            ref var a = ref Unsafe.Add(ref p, done);
            ref var b = ref Unsafe.Add(ref a, words * sizeof(ulong));
            ref var c = ref Unsafe.Add(ref b, words * sizeof(ulong));
            uint crcB = 0, crcC = 0;
            for (var i = 0; i < words * sizeof(ulong); i += sizeof(ulong))
            {
                crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, i)));
                crcB = BitOperations.Crc32C(crcB, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, i)));
                crcC = BitOperations.Crc32C(crcC, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref c, i)));
            }

            // One reduction for both shifts: CRC32 from zero is linear in its input.
            crc = BitOperations.Crc32C(0u, CarrylessMultiply(crc, ShiftBy2[words]) ^ CarrylessMultiply(crcB, ShiftBy1[words])) ^ crcC;
            done += 3 * words * sizeof(ulong);
        }

        return crc;
    }

    // The 63-bit product of two reflected 32-bit polynomials. Fed to CRC32 from zero, which reads 64 reflected bits and
    // multiplies by x^32, it gives register·k·x^33 mod P: so k = x^(8·bytes − 33) shifts the register over that many bytes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong CarrylessMultiply(uint a, uint b)
    {
        if (Pclmulqdq.IsSupported)
            return Pclmulqdq.CarrylessMultiply(Vector128.CreateScalar((ulong)a), Vector128.CreateScalar((ulong)b), 0).ToScalar();
        if (ArmAes.IsSupported)
            return ArmAes.PolynomialMultiplyWideningLower(Vector64.CreateScalar((ulong)a), Vector64.CreateScalar((ulong)b)).ToScalar();
        throw new PlatformNotSupportedException("no carry-less multiply"); // never: CanInterleave is checked first
    }

    // x^(64·lanes·w − 33) mod P for w = 0..MaxLaneWords (entry 0 unused), in the reflected order: bit 31 is x^0.
    private static uint[] ShiftTable(int lanes)
    {
        var table = new uint[MaxLaneWords + 1];
        var power = 0x80000000u; // x^0
        var exponent = 0;
        for (var w = 1; w <= MaxLaneWords; w++)
        {
            for (; exponent < 64 * lanes * w - 33; exponent++)
                power = (power & 1) != 0 ? (power >> 1) ^ Polynomial : power >> 1;
            table[w] = power;
        }

        return table;
    }
}

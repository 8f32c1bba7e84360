using System.Buffers.Binary;

namespace WalReceiver.Wal;

/// <summary>
/// Reads little-endian fields one after another from a record's bytes, checking each against the end first: a field
/// that would run past it is a <see cref="FormatException"/> naming the field, never an out-of-range read.
/// </summary>
/// <param name="data">The bytes to read, from their start.</param>
internal ref struct WalDataReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;

    /// <summary>How many bytes have been read.</summary>
    public int Position { get; private set; }

    /// <summary>How many bytes are left.</summary>
    public readonly int Remaining => _data.Length - Position;

    /// <summary>The next <paramref name="count"/> bytes, which hold <paramref name="what"/>.</summary>
    public ReadOnlySpan<byte> Take(long count, string what)
    {
        if (count < 0 || count > Remaining)
            throw new FormatException($"{what} ({count} bytes at offset {Position}) runs past the end of the data ({_data.Length} bytes)");
        var taken = _data.Slice(Position, (int)count);
        Position += (int)count;
        return taken;
    }

    /// <summary>Reads one byte.</summary>
    public byte ReadByte(string what) => Take(1, what)[0];

    /// <summary>Reads a <c>uint16</c>.</summary>
    public ushort ReadUInt16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, what));

    /// <summary>Reads a <c>uint32</c>.</summary>
    public uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));

    /// <summary>Reads a C <c>int</c>.</summary>
    public int ReadInt32(string what) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, what));

    /// <summary>Reads an <c>int64</c>.</summary>
    public long ReadInt64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, what));

    /// <summary>
    /// Skips a counted array: a C <c>int</c> count, then that many items of <paramref name="itemSize"/> bytes (the layout
    /// of <c>xl_xact_subxacts</c>, <c>xl_xact_relfilenodes</c> and the like). A negative count is malformed.
    /// </summary>
    public void SkipCounted(int itemSize, string what)
    {
        var count = ReadInt32($"the count of {what}");
        if (count < 0)
            throw new FormatException($"the count of {what} is negative ({count})");
        Take((long)count * itemSize, $"{count} {what}");
    }
}

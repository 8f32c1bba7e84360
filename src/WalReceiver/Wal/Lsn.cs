using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace WalReceiver.Wal;

/// <summary>
/// A WAL location (log sequence number): an unsigned 64-bit byte position in the WAL stream.
/// </summary>
/// <remarks>
/// The text form is PostgreSQL's <c>HI/LO</c> in upper-case hexadecimal. PostgreSQL up to 18 prints the low half
/// unpadded (<c>0/9310B90</c>); later versions pad it to eight digits (<c>0/09310B90</c>). Both parse.
/// </remarks>
public readonly record struct Lsn(ulong Value) : IComparable<Lsn>
{
    /// <summary>The invalid LSN, 0/0, which PostgreSQL uses for "none".</summary>
    public static readonly Lsn Invalid;

    /// <summary>Whether this is a real position (not 0/0).</summary>
    public bool IsValid => Value != 0;

    /// <summary>Parses <c>X/X</c>; throws a <see cref="FormatException"/> that quotes the input otherwise.</summary>
    public static Lsn Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var lsn)
            ? lsn
            : throw new FormatException($"could not parse LSN \"{text}\": expected two hexadecimal numbers separated by a slash, like 0/16B3748");
    }

    /// <summary>Parses <c>X/X</c> where each half is 1 to 8 hexadecimal digits.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Lsn lsn)
    {
        lsn = Invalid;
        if (text is null)
            return false;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash > 8 || text.Length - slash - 1 is < 1 or > 8)
            return false;
        if (!uint.TryParse(text.AsSpan(0, slash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hi)
            || !uint.TryParse(text.AsSpan(slash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var lo))
            return false;
        lsn = new Lsn(((ulong)hi << 32) | lo);
        return true;
    }

    /// <summary>The signed distance <c>a - b</c> in bytes, like <c>pg_wal_lsn_diff(a, b)</c>.</summary>
    public static long Diff(Lsn a, Lsn b) => checked((long)a.Value - (long)b.Value);

    /// <summary>Moves forward by <paramref name="bytes"/>; overflow throws rather than wrapping.</summary>
    public Lsn Add(ulong bytes) => new(checked(Value + bytes));

    /// <summary>Same as <see cref="Add"/>.</summary>
    public static Lsn operator +(Lsn lsn, ulong bytes) => lsn.Add(bytes);

    /// <inheritdoc/>
    public int CompareTo(Lsn other) => Value.CompareTo(other.Value);

    /// <summary>Orders LSNs.</summary>
    public static bool operator <(Lsn left, Lsn right) => left.Value < right.Value;

    /// <summary>Orders LSNs.</summary>
    public static bool operator >(Lsn left, Lsn right) => left.Value > right.Value;

    /// <summary>Orders LSNs.</summary>
    public static bool operator <=(Lsn left, Lsn right) => left.Value <= right.Value;

    /// <summary>Orders LSNs.</summary>
    public static bool operator >=(Lsn left, Lsn right) => left.Value >= right.Value;

    /// <summary>The larger of two positions.</summary>
    public static Lsn Max(Lsn a, Lsn b) => a >= b ? a : b;

    /// <summary>Formats as PostgreSQL 15 does: <c>%X/%X</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(uint)(Value >> 32):X}/{(uint)Value:X}");
}

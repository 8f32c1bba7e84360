namespace WalReceiver.Wal;

/// <summary>PostgreSQL's rule for slot names (<c>ReplicationSlotValidateName</c>).</summary>
internal static class ReplicationSlotName
{
    /// <summary>The longest name (NAMEDATALEN - 1).</summary>
    public const int MaxLength = 63;

    /// <summary>Whether <paramref name="name"/> is 1 to 63 lower-case letters, digits and underscores.</summary>
    public static bool IsValid(string name) =>
        name.Length is > 0 and <= MaxLength && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');
}

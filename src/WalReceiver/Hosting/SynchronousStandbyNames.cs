namespace WalReceiver.Hosting;

/// <summary>Reads <c>synchronous_standby_names</c> well enough to tell whether it names us.</summary>
internal static class SynchronousStandbyNames
{
    private static readonly char[] Separators = [' ', ',', '(', ')', '\t'];

    /// <summary>
    /// Whether <paramref name="setting"/> (<c>FIRST 2 (a, "b")</c>, <c>ANY 1 (*)</c>, <c>a, b</c>) lists
    /// <paramref name="applicationName"/> or <c>*</c>. PostgreSQL compares names case-insensitively.
    /// </summary>
    public static bool Lists(string setting, string applicationName)
    {
        foreach (var raw in setting.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            var name = raw.Trim('"');
            if (raw is "FIRST" or "ANY" or "first" or "any" || (name.Length > 0 && name.All(char.IsAsciiDigit)))
                continue;
            if (name == "*" || string.Equals(name, applicationName, StringComparison.OrdinalIgnoreCase))
                return true;
        }

        return false;
    }
}

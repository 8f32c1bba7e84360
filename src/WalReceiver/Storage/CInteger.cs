namespace WalReceiver.Storage;

/// <summary>
/// Reads a decimal integer the way C's <c>strtol(s, &amp;end, 10)</c> does, because pg_receivewal's option parsing
/// decides what it accepts by where <c>strtol</c> stops: leading white space and a sign are allowed, an out-of-range
/// value saturates, and a string without digits consumes nothing.
/// </summary>
internal static class CInteger
{
    /// <summary>Returns the value; <paramref name="end"/> is the index after the last digit, or 0 when there is none.</summary>
    public static long Parse(string s, out int end)
    {
        var i = 0;
        while (i < s.Length && s[i] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
            i++;
        var negative = false;
        if (i < s.Length && s[i] is '+' or '-')
        {
            negative = s[i] == '-';
            i++;
        }

        var firstDigit = i;
        // Accumulate negatively: long.MinValue has no positive counterpart.
        long value = 0;
        var saturated = false;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            var digit = s[i] - '0';
            if (saturated || value < (long.MinValue + digit) / 10)
                saturated = true;
            else
                value = (value * 10) - digit;
        }

        if (i == firstDigit)
        {
            end = 0;
            return 0;
        }

        end = i;
        if (saturated)
            return negative ? long.MinValue : long.MaxValue;
        return negative ? value : value == long.MinValue ? long.MaxValue : -value;
    }
}

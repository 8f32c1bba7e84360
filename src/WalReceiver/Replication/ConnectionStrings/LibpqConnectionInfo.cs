using System.Collections.Frozen;
using System.Text;

namespace WalReceiver.Replication.ConnectionStrings;

/// <summary>
/// Parses a libpq connection string as pg_receivewal's <c>-d</c> accepts it: <c>keyword=value</c> pairs, a
/// <c>postgresql://</c> URI, or a bare database name. Keywords are lowercased and checked against the ones libpq knows,
/// so a typo fails at start-up instead of being silently ignored.
/// </summary>
internal static class LibpqConnectionInfo
{
    /// <summary>Where the connection string comes from, for messages.</summary>
    internal const string Origin = "connection string (-d)";

    /// <summary>The accepted keywords, in the order messages list them.</summary>
    public static IReadOnlyList<string> KnownKeywords { get; } =
    [
        "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "application_name",
        "fallback_application_name", "sslmode", "sslcert", "sslkey", "sslrootcert", "sslpassword", "connect_timeout",
        "target_session_attrs", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "options",
        "replication", "client_encoding", "gssencmode", "krbsrvname", "channel_binding", "tcp_user_timeout",
    ];

    private static readonly FrozenSet<string> Known = KnownKeywords.ToFrozenSet(StringComparer.Ordinal);

    private static readonly string[] UriPrefixes = ["postgresql://", "postgres://"];

    /// <summary>Parses <paramref name="conninfo"/> into lowercased keywords and their values.</summary>
    /// <param name="conninfo">The connection string; an empty or blank one gives no keywords.</param>
    /// <returns>The keywords given; a keyword given twice keeps its last value, as in libpq.</returns>
    /// <exception cref="ConnectionInfoException">The string is malformed or names an unknown keyword.</exception>
    public static IReadOnlyDictionary<string, string> Parse(string conninfo)
    {
        ArgumentNullException.ThrowIfNull(conninfo);
        foreach (var prefix in UriPrefixes)
        {
            if (conninfo.StartsWith(prefix, StringComparison.Ordinal))
                return LibpqConnectionUri.Parse(conninfo[prefix.Length..]);
        }

        if (string.IsNullOrWhiteSpace(conninfo))
            return new Dictionary<string, string>(StringComparer.Ordinal);

        // libpq's rule for "is this a connection string at all": anything without '=' is a database name.
        if (!conninfo.Contains('=', StringComparison.Ordinal))
            return new Dictionary<string, string>(StringComparer.Ordinal) { ["dbname"] = conninfo };

        return ParseKeywordValue(conninfo);
    }

    /// <summary>Whether <paramref name="keyword"/> holds a secret that must never reach a message or a log.</summary>
    internal static bool IsSecret(string keyword) => keyword is "password" or "sslpassword";

    /// <summary>Lowercases <paramref name="keyword"/>, checks that libpq knows it, and stores the value.</summary>
    /// <param name="options">The keywords parsed so far.</param>
    /// <param name="keyword">The keyword as written.</param>
    /// <param name="value">Its value.</param>
    /// <param name="mayBeSecretTail">
    /// The keyword follows an unquoted secret value, so it may be the tail of a password with a space in it and must not
    /// be echoed.
    /// </param>
    /// <param name="origin">Where the keyword was written, for the message.</param>
    internal static string Store(Dictionary<string, string> options, string keyword, string value, bool mayBeSecretTail, string origin)
    {
        var key = keyword.ToLowerInvariant();
        if (!Known.Contains(key))
        {
            var what = mayBeSecretTail ? "following a password" : $"\"{keyword}\"";
            var hint = mayBeSecretTail
                ? "if the password contains spaces or '&', quote it (password='...') or, in a URI, percent-encode it; "
                : string.Empty;
            throw new ConnectionInfoException(
                $"invalid connection option {what} in {origin}: {hint}known options are {string.Join(", ", KnownKeywords)}; " +
                "see libpq's connection string documentation");
        }

        options[key] = value;
        return key;
    }

    private static Dictionary<string, string> ParseKeywordValue(string text)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var afterUnquotedSecret = false;
        var i = 0;
        while (true)
        {
            SkipWhitespace(text, ref i);
            if (i >= text.Length)
                return options;

            var start = i;
            while (i < text.Length && text[i] != '=' && !char.IsWhiteSpace(text[i]))
                i++;
            var keyword = text[start..i];
            SkipWhitespace(text, ref i);
            if (keyword.Length == 0)
                throw new ConnectionInfoException($"missing keyword before \"=\" in {Origin}: write keyword=value pairs separated by spaces");
            if (i >= text.Length || text[i] != '=')
            {
                throw new ConnectionInfoException(afterUnquotedSecret
                    ? $"missing \"=\" after an unquoted password in {Origin}: quote a password that contains spaces (password='...')"
                    : $"missing \"=\" after \"{keyword}\" in {Origin}: write keyword=value pairs separated by spaces, " +
                      "and quote values that contain spaces");
            }

            i++;
            SkipWhitespace(text, ref i);
            var quoted = i < text.Length && text[i] == '\'';
            var value = quoted ? ReadQuoted(text, ref i) : ReadUnquoted(text, ref i);
            var key = Store(options, keyword, value, afterUnquotedSecret, Origin);
            afterUnquotedSecret = !quoted && IsSecret(key);
        }
    }

    private static string ReadUnquoted(string text, ref int i)
    {
        var value = new StringBuilder();
        while (i < text.Length && !char.IsWhiteSpace(text[i]))
        {
            // A trailing lone backslash escapes nothing and is dropped, as libpq does.
            if (text[i] == '\\')
                i++;
            if (i < text.Length)
                value.Append(text[i++]);
        }

        return value.ToString();
    }

    private static string ReadQuoted(string text, ref int i)
    {
        var value = new StringBuilder();
        i++;
        while (i < text.Length)
        {
            var c = text[i++];
            if (c == '\'')
                return value.ToString();
            if (c == '\\' && i < text.Length)
                c = text[i++];
            value.Append(c);
        }

        throw new ConnectionInfoException(
            $"unterminated quoted string in {Origin}: end the value with a single quote, and write a quote inside it as \\'");
    }

    private static void SkipWhitespace(string text, ref int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
            i++;
    }
}

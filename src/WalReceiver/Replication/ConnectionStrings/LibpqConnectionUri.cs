using System.Globalization;
using System.Text;

namespace WalReceiver.Replication.ConnectionStrings;

/// <summary>
/// Parses the part of a libpq connection URI after <c>postgresql://</c>:
/// <c>[user[:password]@][host[:port][,host[:port]...]][/dbname][?keyword=value&amp;...]</c>.
/// </summary>
internal static class LibpqConnectionUri
{
    private const string Origin = "connection URI (-d)";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses the URI into the keywords it stands for, as <see cref="LibpqConnectionInfo.Parse"/> returns them.</summary>
    /// <param name="afterScheme">The URI without its <c>postgresql://</c> or <c>postgres://</c> prefix.</param>
    /// <exception cref="ConnectionInfoException">The URI is malformed or names an unknown keyword.</exception>
    public static IReadOnlyDictionary<string, string> Parse(string afterScheme)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var end = afterScheme.IndexOfAny(['/', '?']);
        var authority = end < 0 ? afterScheme : afterScheme[..end];
        var rest = end < 0 ? string.Empty : afterScheme[end..];

        // The last '@' rather than libpq's first, so an unencoded '@' in a password still works.
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            ParseUserInfo(authority[..at], options);
            authority = authority[(at + 1)..];
        }

        ParseHosts(authority, options);

        if (rest.StartsWith('/'))
        {
            var query = rest.IndexOf('?', StringComparison.Ordinal);
            var dbname = Decode(query < 0 ? rest[1..] : rest[1..query], "database name");
            if (dbname.Length > 0)
                options["dbname"] = dbname;
            rest = query < 0 ? string.Empty : rest[query..];
        }

        if (rest.StartsWith('?'))
            ParseQuery(rest[1..], options);
        return options;
    }

    private static void ParseUserInfo(string userInfo, Dictionary<string, string> options)
    {
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        var user = Decode(colon < 0 ? userInfo : userInfo[..colon], "user name");
        if (user.Length > 0)
            options["user"] = user;
        if (colon >= 0)
        {
            var password = Decode(userInfo[(colon + 1)..], "password");
            if (password.Length > 0)
                options["password"] = password;
        }
    }

    private static void ParseHosts(string authority, Dictionary<string, string> options)
    {
        var hosts = new List<string>();
        var ports = new List<string>();
        foreach (var entry in authority.Split(','))
        {
            string host;
            string port;
            if (entry.StartsWith('['))
            {
                var close = entry.IndexOf(']', StringComparison.Ordinal);
                if (close < 0)
                    throw new ConnectionInfoException($"missing \"]\" after an IPv6 address in {Origin}: write IPv6 hosts as [::1]");
                if (close == 1)
                    throw new ConnectionInfoException($"empty IPv6 address \"[]\" in {Origin}: write IPv6 hosts as [::1]");
                host = entry[1..close];
                var after = entry[(close + 1)..];
                if (after.Length > 0 && after[0] != ':')
                    throw new ConnectionInfoException($"unexpected text after an IPv6 address in {Origin}: write [address]:port");
                port = after.Length > 0 ? after[1..] : string.Empty;
            }
            else
            {
                var colon = entry.IndexOf(':', StringComparison.Ordinal);
                host = colon < 0 ? entry : entry[..colon];
                port = colon < 0 ? string.Empty : entry[(colon + 1)..];
            }

            // The port is not echoed: with an unencoded '/', '?' or '@' in a password, this "port" is a piece of it.
            if (!port.All(char.IsAsciiDigit))
            {
                throw new ConnectionInfoException(
                    $"invalid port in {Origin}: a port must be a number; if the user name or password contains " +
                    "'@', '/', '?', ':' or ',', percent-encode it (for example %40 for '@')");
            }

            hosts.Add(Decode(host, "host"));
            ports.Add(port);
        }

        // libpq keeps one entry per host, empty where a host has no port, so hosts and ports stay aligned.
        if (hosts.Exists(h => h.Length > 0))
            options["host"] = string.Join(',', hosts);
        if (ports.Exists(p => p.Length > 0))
            options["port"] = string.Join(',', ports);
    }

    private static void ParseQuery(string query, Dictionary<string, string> options)
    {
        // After an unencoded '&' in a password, the next "parameter" is the rest of the password: never echo it.
        var afterSecret = false;
        foreach (var parameter in query.Split('&'))
        {
            if (parameter.Length == 0)
                continue;
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                var what = afterSecret ? "after a password" : $"\"{Decode(parameter, "query parameter")}\"";
                throw new ConnectionInfoException(
                    $"missing \"=\" in query parameter {what} of {Origin}: write ?keyword=value&keyword=value, " +
                    "and percent-encode '&' inside values as %26");
            }

            var keyword = Decode(parameter[..equals], "query parameter");
            var value = Decode(parameter[(equals + 1)..], $"value of \"{keyword}\"");

            // libpq accepts the JDBC spelling ssl=true as sslmode=require.
            if (keyword == "ssl")
            {
                if (value != "true")
                    throw new ConnectionInfoException($"invalid value for \"ssl\" in {Origin}: the only accepted value is true; or use sslmode=");
                options["sslmode"] = "require";
                afterSecret = false;
                continue;
            }

            afterSecret = LibpqConnectionInfo.IsSecret(LibpqConnectionInfo.Store(options, keyword, value, afterSecret, Origin));
        }
    }

    private static string Decode(string text, string component)
    {
        if (!text.Contains('%', StringComparison.Ordinal))
            return text;

        var bytes = new List<byte>(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && text[i] != '%')
                i++;
            bytes.AddRange(Encoding.UTF8.GetBytes(text[start..i]));
            if (i == text.Length)
                break;

            if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
            {
                throw new ConnectionInfoException(
                    $"invalid percent-encoding in the {component} of {Origin}: '%' must be followed by two hex digits; write a literal '%' as %25");
            }

            var b = byte.Parse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            if (b == 0)
                throw new ConnectionInfoException($"forbidden %00 in the {component} of {Origin}: values cannot contain a zero byte");
            bytes.Add(b);
            i += 3;
        }

        try
        {
            return StrictUtf8.GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException e)
        {
            throw new ConnectionInfoException($"percent-encoded bytes in the {component} of {Origin} are not valid UTF-8", e);
        }
    }
}

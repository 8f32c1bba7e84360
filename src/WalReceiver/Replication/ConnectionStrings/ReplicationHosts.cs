using System.Globalization;
using System.Net;

namespace WalReceiver.Replication.ConnectionStrings;

/// <summary>
/// Turns libpq's parallel <c>host</c>, <c>hostaddr</c> and <c>port</c> lists into the servers to try, in order, and
/// writes them the way Npgsql takes them: one <c>Host</c> list, with <c>host:port</c> entries when the ports differ.
/// </summary>
internal static class ReplicationHosts
{
    /// <summary>libpq's compiled-in port, also used for an empty entry in a port list.</summary>
    public const int DefaultPort = 5432;

    /// <summary>Resolves the lists into one (address, port) pair per server, in the order libpq tries them.</summary>
    /// <param name="host">The <c>host</c> list, if given anywhere.</param>
    /// <param name="hostAddress">The <c>hostaddr</c> list, if given anywhere.</param>
    /// <param name="port">The <c>port</c> list, if given anywhere.</param>
    /// <param name="defaultHost">Where to connect for an empty or missing host (a socket directory or <c>localhost</c>).</param>
    /// <exception cref="ConnectionInfoException">The lists do not line up, or a port or hostaddr is invalid.</exception>
    public static IReadOnlyList<(string Host, int Port)> Resolve(
        LibpqSetting? host, LibpqSetting? hostAddress, LibpqSetting? port, string defaultHost)
    {
        var names = host?.Value.Split(',');
        var addresses = hostAddress?.Value.Split(',');
        if (names is not null && addresses is not null && names.Length != addresses.Length)
        {
            throw new ConnectionInfoException(string.Create(CultureInfo.InvariantCulture,
                $"could not match {names.Length} host names (from {host!.Value.Source}) to {addresses.Length} hostaddr values " +
                $"(from {hostAddress!.Value.Source}): give one hostaddr entry per host entry, leaving an entry empty to look the name up"));
        }

        var count = names?.Length ?? addresses?.Length ?? 1;
        var ports = port?.Value.Split(',') ?? [string.Empty];
        if (ports.Length != 1 && ports.Length != count)
        {
            throw new ConnectionInfoException(string.Create(CultureInfo.InvariantCulture,
                $"could not match {ports.Length} port numbers (from {port!.Value.Source}) to {count} hosts: " +
                $"give one port for all hosts or one per host"));
        }

        var servers = new List<(string Host, int Port)>(count);
        for (var i = 0; i < count; i++)
        {
            // libpq connects to hostaddr when given and uses host only to name the server; Npgsql has one field for both.
            var address = addresses?[i].Trim() ?? string.Empty;
            var name = names?[i].Trim() ?? string.Empty;
            if (address.Length > 0 && !IPAddress.TryParse(address, out _))
            {
                throw new ConnectionInfoException(
                    $"invalid hostaddr \"{address}\" (from {hostAddress!.Value.Source}): hostaddr takes a numeric IPv4 or IPv6 address; " +
                    "put host names in host=");
            }

            var target = address.Length > 0 ? address : name.Length > 0 ? name : defaultHost;
            servers.Add((target, ParsePort(ports.Length == 1 ? ports[0] : ports[i], port)));
        }

        return servers;
    }

    /// <summary>Whether <paramref name="host"/> names a Unix-domain socket directory (or a Linux abstract socket) rather than a TCP host.</summary>
    public static bool IsUnixSocket(string host) => host.StartsWith('/') || host.StartsWith('@');

    /// <summary>Writes <paramref name="servers"/> as Npgsql's <c>Host</c> and <c>Port</c>.</summary>
    /// <remarks>
    /// Npgsql applies <c>Port</c> to every host and reads <c>host:port</c> (IPv6 as <c>[addr]:port</c>) as an override,
    /// so a shared port goes into <c>Port</c> and differing ports are written on every entry.
    /// </remarks>
    public static (string Host, int Port) ToNpgsql(IReadOnlyList<(string Host, int Port)> servers)
    {
        var port = servers[0].Port;
        if (servers.All(s => s.Port == port))
            return (string.Join(',', servers.Select(s => s.Host)), port);

        return (string.Join(',', servers.Select(s => WithPort(s.Host, s.Port))), DefaultPort);
    }

    /// <summary>Reads one entry of a Host list that <see cref="ToNpgsql"/> wrote back into a host and a port.</summary>
    /// <param name="entry">A host, socket directory or address, optionally followed by <c>:port</c> (IPv6 as <c>[addr]:port</c>).</param>
    /// <param name="defaultPort">The port for an entry without one.</param>
    public static (string Host, int Port) SplitHostPort(string entry, int defaultPort)
    {
        entry = entry.Trim();
        if (entry.StartsWith('[') && entry.IndexOf(']', StringComparison.Ordinal) is var close and > 0)
        {
            var host = entry[1..close];
            return entry.Length > close + 2 && entry[close + 1] == ':' && TryParsePort(entry[(close + 2)..], out var p)
                ? (host, p)
                : (host, defaultPort);
        }

        // An unbracketed IPv6 address is all colons and carries no port.
        var colon = entry.LastIndexOf(':');
        if (colon > 0 && !IPAddress.TryParse(entry, out _) && TryParsePort(entry[(colon + 1)..], out var port))
            return (entry[..colon], port);
        return (entry, defaultPort);
    }

    private static string WithPort(string host, int port)
    {
        var address = !IsUnixSocket(host) && host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        return string.Create(CultureInfo.InvariantCulture, $"{address}:{port}");
    }

    private static int ParsePort(string text, LibpqSetting? setting)
    {
        text = text.Trim();
        if (text.Length == 0)
            return DefaultPort;
        if (TryParsePort(text, out var port))
            return port;

        throw new ConnectionInfoException(
            $"invalid port number \"{text}\" (from {setting!.Value.Source}): a port is a number from 1 to 65535, " +
            "or a comma-separated list with one per host");
    }

    private static bool TryParsePort(string text, out int port)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
}

using System.Globalization;
using Npgsql;

namespace WalReceiver.Replication.ConnectionStrings;

/// <summary>
/// Builds the Npgsql connection string for the replication connection from pg_receivewal-style inputs, with libpq's
/// precedence: <c>-h/-p/-U</c> over the <c>-d</c> connection string, over libpq's environment variables, over libpq's defaults.
/// </summary>
/// <remarks>
/// Passwords: an explicit one, then the connection string's, then PGPASSWORD become <c>Password</c>; only then does
/// Npgsql consult <c>Passfile</c> (from <c>passfile</c> or PGPASSFILE). With neither set, Npgsql itself falls back to
/// <c>~/.pgpass</c> when it exists, as libpq does, so that default is not written here.
/// Several hosts, and a <c>target_session_attrs</c> requirement, are kept in the string, but Npgsql's replication
/// connection accepts neither: connect through <see cref="SplitHosts"/>.
/// </remarks>
internal static class ReplicationConnectionString
{
    private const string DebianSocketDirectory = "/var/run/postgresql";

    // Npgsql rejects a Timeout above this many seconds; libpq has no maximum.
    private const int MaxNpgsqlTimeout = 1024;

    private static readonly string[] SslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];
    private static readonly string[] SessionAttributeValues = ["any", "read-write", "read-only", "primary", "standby", "prefer-standby"];
    private static readonly string[] ThreeStateModes = ["disable", "prefer", "require"];

    /// <summary>Builds the connection string from the real file system and the current OS user.</summary>
    /// <param name="settings">The command-line inputs.</param>
    /// <param name="getEnvironmentVariable">Reads a libpq environment variable (PGHOST, PGPORT, ...); null when unset.</param>
    /// <exception cref="ConnectionInfoException">An input is malformed; the message names it and never contains a password.</exception>
    public static string Build(ConnectionSettings settings, Func<string, string?> getEnvironmentVariable)
        => Build(settings, getEnvironmentVariable, Directory.Exists, Environment.UserName);

    /// <summary>Builds the connection string.</summary>
    /// <param name="settings">The command-line inputs.</param>
    /// <param name="getEnvironmentVariable">Reads a libpq environment variable (PGHOST, PGPORT, ...); null when unset.</param>
    /// <param name="directoryExists">Tells whether a directory exists, to pick the default socket directory.</param>
    /// <param name="osUserName">The user name to connect as when none is given anywhere.</param>
    /// <exception cref="ConnectionInfoException">An input is malformed; the message names it and never contains a password.</exception>
    public static string Build(ConnectionSettings settings, Func<string, string?> getEnvironmentVariable,
        Func<string, bool> directoryExists, string osUserName)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        ArgumentNullException.ThrowIfNull(directoryExists);

        // dbname and replication are checked by the parser and then dropped: a physical replication connection has no
        // database, and Npgsql sends replication=true itself.
        var conninfo = settings.ConnInfo is null
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : LibpqConnectionInfo.Parse(settings.ConnInfo);

        LibpqSetting? Pick(string keyword, string? environmentVariable, string? option = null, string? optionName = null)
        {
            // An empty command-line value counts as not given, as in libpq's PQconnectdbParams.
            if (!string.IsNullOrEmpty(option))
                return new LibpqSetting(option, optionName!);
            if (conninfo.TryGetValue(keyword, out var value))
                return new LibpqSetting(value, LibpqConnectionInfo.Origin);
            if (environmentVariable is not null && getEnvironmentVariable(environmentVariable) is { } fromEnvironment)
                return new LibpqSetting(fromEnvironment, "environment variable " + environmentVariable);
            return null;
        }

        string? NonEmpty(LibpqSetting? setting) => setting is { Value.Length: > 0 } s ? s.Value : null;

        var builder = new NpgsqlConnectionStringBuilder();
        var servers = ReplicationHosts.Resolve(
            Pick("host", "PGHOST", settings.Host, "-h/--host"),
            Pick("hostaddr", "PGHOSTADDR"),
            Pick("port", "PGPORT", settings.Port, "-p/--port"),
            DefaultHost(directoryExists));
        ApplyTargetSessionAttributes(builder, Pick("target_session_attrs", "PGTARGETSESSIONATTRS"), servers.Count);
        (builder.Host, builder.Port) = ReplicationHosts.ToNpgsql(servers);

        builder.Username = NonEmpty(Pick("user", "PGUSER", settings.User, "-U/--username")) ?? osUserName;
        builder.Password = string.IsNullOrEmpty(settings.Password) ? NonEmpty(Pick("password", "PGPASSWORD")) : settings.Password;
        builder.Passfile = NonEmpty(Pick("passfile", "PGPASSFILE"));

        builder.ApplicationName = NonEmpty(Pick("application_name", "PGAPPNAME"))
            ?? NonEmpty(Pick("fallback_application_name", null))
            ?? settings.DefaultApplicationName;
        builder.Options = NonEmpty(Pick("options", "PGOPTIONS"));
        if (NonEmpty(Pick("client_encoding", "PGCLIENTENCODING")) is { } encoding && encoding != "auto")
            builder.ClientEncoding = encoding;
        if (NonEmpty(Pick("krbsrvname", "PGKRBSRVNAME")) is { } kerberosServiceName)
            builder.KerberosServiceName = kerberosServiceName;

        ApplySsl(builder, Pick, NonEmpty);
        if (Choose(Pick("gssencmode", "PGGSSENCMODE"), "gssencmode", ThreeStateModes) is { } gss)
            builder.GssEncryptionMode = Enum.Parse<GssEncryptionMode>(gss, ignoreCase: true);
        if (Choose(Pick("channel_binding", "PGCHANNELBINDING"), "channel_binding", ThreeStateModes) is { } binding)
            builder.ChannelBinding = Enum.Parse<ChannelBinding>(binding, ignoreCase: true);

        // libpq waits forever unless connect_timeout is set, and raises 1 to 2 seconds.
        var timeout = ParseInt(Pick("connect_timeout", "PGCONNECT_TIMEOUT"), "connect_timeout", int.MinValue) ?? 0;
        builder.Timeout = timeout <= 0 ? 0 : Math.Min(Math.Max(timeout, 2), MaxNpgsqlTimeout);

        ApplyKeepAlives(builder, Pick, servers.Any(s => !ReplicationHosts.IsUnixSocket(s.Host)));
        return builder.ConnectionString;
    }

    /// <summary>Returns <paramref name="npgsqlConnectionString"/> without its passwords, for logs.</summary>
    /// <param name="npgsqlConnectionString">A connection string as <see cref="Build(ConnectionSettings, Func{string, string?})"/> returns it.</param>
    public static string Redact(string npgsqlConnectionString)
    {
        ArgumentNullException.ThrowIfNull(npgsqlConnectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(npgsqlConnectionString);
        }
        catch (ArgumentException)
        {
            // Npgsql's parse error may quote the string, password included; a log line does not need it.
            return "(unparsable connection string hidden)";
        }

        builder.Remove(nameof(NpgsqlConnectionStringBuilder.Password));
        builder.Remove(nameof(NpgsqlConnectionStringBuilder.SslPassword));
        return builder.ConnectionString;
    }

    /// <summary>
    /// Splits a connection string from <see cref="Build(ConnectionSettings, Func{string, string?})"/> into one
    /// single-host string per server, in the order libpq would try them, each without <c>TargetSessionAttributes</c>.
    /// </summary>
    /// <remarks>
    /// Npgsql's replication connections refuse several hosts and any <c>TargetSessionAttributes</c> but <c>any</c>, so the
    /// caller tries these strings in turn and, when the built string has <c>TargetSessionAttributes</c>, checks each
    /// server itself (<c>SHOW transaction_read_only</c>, <c>SHOW in_hot_standby</c>) and moves on when it does not fit.
    /// </remarks>
    /// <param name="npgsqlConnectionString">A connection string as <see cref="Build(ConnectionSettings, Func{string, string?})"/> returns it.</param>
    public static IReadOnlyList<string> SplitHosts(string npgsqlConnectionString)
    {
        ArgumentNullException.ThrowIfNull(npgsqlConnectionString);
        var builder = new NpgsqlConnectionStringBuilder(npgsqlConnectionString);
        var hosts = (builder.Host ?? string.Empty).Split(',');
        var result = new List<string>(hosts.Length);
        foreach (var entry in hosts)
        {
            var single = new NpgsqlConnectionStringBuilder(npgsqlConnectionString);
            single.Remove(nameof(NpgsqlConnectionStringBuilder.TargetSessionAttributes));
            (single.Host, single.Port) = ReplicationHosts.SplitHostPort(entry, builder.Port);

            // libpq uses keepalives on TCP only, and Npgsql fails to connect to a Unix socket with TCP options set.
            if (ReplicationHosts.IsUnixSocket(single.Host))
            {
                single.Remove(nameof(NpgsqlConnectionStringBuilder.TcpKeepAlive));
                single.Remove(nameof(NpgsqlConnectionStringBuilder.TcpKeepAliveTime));
                single.Remove(nameof(NpgsqlConnectionStringBuilder.TcpKeepAliveInterval));
            }

            result.Add(single.ConnectionString);
        }

        return result;
    }

    private static string DefaultHost(Func<string, bool> directoryExists)
        => directoryExists(DebianSocketDirectory) ? DebianSocketDirectory : directoryExists("/tmp") ? "/tmp" : "localhost";

    private static void ApplyTargetSessionAttributes(
        NpgsqlConnectionStringBuilder builder, LibpqSetting? setting, int serverCount)
    {
        var attributes = Choose(setting, "target_session_attrs", SessionAttributeValues);

        // With one server a preference changes nothing, and leaving it out keeps the string usable as it is. A
        // requirement stays even then: the caller must check it, since Npgsql's replication connection cannot.
        if (attributes is null or "any" || (serverCount == 1 && attributes == "prefer-standby"))
            return;
        builder.TargetSessionAttributes = attributes;
    }

    private static void ApplySsl(NpgsqlConnectionStringBuilder builder,
        Func<string, string?, string?, string?, LibpqSetting?> pick, Func<LibpqSetting?, string?> nonEmpty)
    {
        var rootCertificate = nonEmpty(pick("sslrootcert", "PGSSLROOTCERT", null, null));
        var mode = Choose(pick("sslmode", "PGSSLMODE", null, null), "sslmode", SslModes);

        // sslrootcert=system means the operating system's trust store (Npgsql's default) and, in libpq, verify-full.
        if (rootCertificate == "system")
            mode ??= "verify-full";
        else
            builder.RootCertificate = rootCertificate;

        if (mode is not null)
            builder.SslMode = Enum.Parse<SslMode>(mode.Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true);
        builder.SslCertificate = nonEmpty(pick("sslcert", "PGSSLCERT", null, null));
        builder.SslKey = nonEmpty(pick("sslkey", "PGSSLKEY", null, null));
        builder.SslPassword = nonEmpty(pick("sslpassword", null, null, null));
    }

    private static void ApplyKeepAlives(NpgsqlConnectionStringBuilder builder,
        Func<string, string?, string?, string?, LibpqSetting?> pick, bool anyTcp)
    {
        var enabled = ParseInt(pick("keepalives", null, null, null), "keepalives", 0) ?? 1;
        var idle = ParseInt(pick("keepalives_idle", null, null, null), "keepalives_idle", 0) ?? 0;
        var interval = ParseInt(pick("keepalives_interval", null, null, null), "keepalives_interval", 0) ?? 0;

        // Npgsql has no equivalents for these; they are still checked so a typo in a number fails as in libpq.
        _ = ParseInt(pick("keepalives_count", null, null, null), "keepalives_count", 0);
        _ = ParseInt(pick("tcp_user_timeout", null, null, null), "tcp_user_timeout", 0);

        // libpq applies keepalives to TCP only, while Npgsql would set TCP options on a Unix socket and fail; with a mixed
        // host list they stay, and SplitHosts drops them from the socket entries.
        if (!anyTcp || enabled == 0)
            return;

        // libpq turns keepalives on by default; a replication stream can sit idle for long and must notice a dead peer.
        builder.TcpKeepAlive = true;

        // Npgsql refuses an interval without an idle time, so an interval alone is dropped and the system's timing applies.
        if (idle > 0)
        {
            builder.TcpKeepAliveTime = idle;
            if (interval > 0)
                builder.TcpKeepAliveInterval = interval;
        }
    }

    private static string? Choose(LibpqSetting? setting, string keyword, string[] accepted)
    {
        if (setting is not { Value.Length: > 0 } s)
            return null;
        var value = s.Value.Trim().ToLowerInvariant();
        if (Array.IndexOf(accepted, value) >= 0)
            return value;

        throw new ConnectionInfoException(
            $"invalid {keyword} value \"{s.Value}\" (from {s.Source}): accepted values are {string.Join(", ", accepted)}");
    }

    private static int? ParseInt(LibpqSetting? setting, string keyword, int minimum)
    {
        if (setting is not { Value.Length: > 0 } s)
            return null;
        if (int.TryParse(s.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= minimum)
            return value;

        var expected = minimum == int.MinValue ? "a whole number of seconds (0 waits forever)" : "a whole number, 0 or more";
        throw new ConnectionInfoException($"invalid {keyword} value \"{s.Value}\" (from {s.Source}): expected {expected}");
    }

    /// <summary>
    /// The same server for ordinary SQL (status views, slot monitoring): the database <paramref name="conninfo"/> names
    /// (<c>dbname</c>), else PGDATABASE, else <c>postgres</c>; replication connections ignore the database.
    /// </summary>
    public static string ForSql(string npgsqlConnectionString, string? conninfo, Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        var dbname = conninfo is null ? null : LibpqConnectionInfo.Parse(conninfo).GetValueOrDefault("dbname");
        return new NpgsqlConnectionStringBuilder(npgsqlConnectionString)
        {
            Database = dbname ?? getEnvironmentVariable("PGDATABASE") ?? "postgres",
            Pooling = false,
        }.ConnectionString;
    }
}

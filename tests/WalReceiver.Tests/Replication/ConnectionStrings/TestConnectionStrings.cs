using Npgsql;
using WalReceiver.Replication.ConnectionStrings;

namespace WalReceiver.Tests.Replication.ConnectionStrings;

/// <summary>Builds connection strings with a fake environment, file system and OS user, never the real ones.</summary>
internal static class TestConnectionStrings
{
    public const string Secret = "Zq9secretPW";
    public const string OsUser = "osuser";

    private static readonly string[] DebianDirectories = ["/var/run/postgresql", "/tmp"];

    public static NpgsqlConnectionStringBuilder Build(
        string? conninfo = null,
        string? host = null,
        string? port = null,
        string? user = null,
        string? password = null,
        Dictionary<string, string>? environment = null,
        string[]? directories = null)
        => new(BuildText(new ConnectionSettings(conninfo, host, port, user, password, NoPassword: false), environment, directories));

    public static string BuildText(ConnectionSettings settings, Dictionary<string, string>? environment = null, string[]? directories = null)
        => ReplicationConnectionString.Build(
            settings,
            name => environment is not null && environment.TryGetValue(name, out var value) ? value : null,
            path => (directories ?? DebianDirectories).Contains(path),
            OsUser);

    public static string BuildText(string conninfo)
        => BuildText(new ConnectionSettings(conninfo, null, null, null, null, NoPassword: false));

    public static ConnectionInfoException BuildFails(string? conninfo = null, string? port = null, Dictionary<string, string>? environment = null)
        => Assert.Throws<ConnectionInfoException>(() => Build(conninfo, port: port, environment: environment));
}

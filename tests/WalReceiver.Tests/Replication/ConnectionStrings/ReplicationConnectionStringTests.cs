using Npgsql;
using WalReceiver.Replication.ConnectionStrings;
using static WalReceiver.Tests.Replication.ConnectionStrings.TestConnectionStrings;

namespace WalReceiver.Tests.Replication.ConnectionStrings;

public sealed class ReplicationConnectionStringTests
{
    [Fact]
    public void Uses_libpq_defaults_when_nothing_is_given()
    {
        var b = Build();

        Assert.Equal("/var/run/postgresql", b.Host);
        Assert.Equal(5432, b.Port);
        Assert.Equal(OsUser, b.Username);
        Assert.Equal("walreceiver", b.ApplicationName);
        Assert.Equal(0, b.Timeout);
        Assert.Null(b.Password);
        Assert.Null(b.Passfile);
        Assert.Null(b.Database);
        Assert.Null(b.TargetSessionAttributes);
        Assert.False(b.TcpKeepAlive);
    }

    [Theory]
    [InlineData(new[] { "/var/run/postgresql", "/tmp" }, "/var/run/postgresql")]
    [InlineData(new[] { "/tmp" }, "/tmp")]
    [InlineData(new string[0], "localhost")]
    public void Default_host_is_the_first_socket_directory_that_exists(string[] directories, string expected)
    {
        Assert.Equal(expected, Build(directories: directories).Host);
    }

    [Theory]
    [InlineData("opt", "conn", "env", "opt")]
    [InlineData(null, "conn", "env", "conn")]
    [InlineData(null, null, "env", "env")]
    [InlineData("", null, "env", "env")]
    [InlineData(null, null, null, "/var/run/postgresql")]
    public void Host_option_beats_connection_string_beats_environment_beats_default(
        string? option, string? conninfo, string? environment, string expected)
    {
        var b = Build(conninfo is null ? null : $"host={conninfo}", host: option,
            environment: environment is null ? null : new() { ["PGHOST"] = environment });

        Assert.Equal(expected, b.Host);
    }

    [Theory]
    [InlineData("6001", "6002", "6003", 6001)]
    [InlineData(null, "6002", "6003", 6002)]
    [InlineData(null, null, "6003", 6003)]
    [InlineData(null, null, null, 5432)]
    public void Port_option_beats_connection_string_beats_environment_beats_default(
        string? option, string? conninfo, string? environment, int expected)
    {
        var b = Build(conninfo is null ? null : $"port={conninfo}", port: option,
            environment: environment is null ? null : new() { ["PGPORT"] = environment });

        Assert.Equal(expected, b.Port);
    }

    [Theory]
    [InlineData("opt", "conn", "env", "opt")]
    [InlineData(null, "conn", "env", "conn")]
    [InlineData(null, null, "env", "env")]
    [InlineData(null, null, null, OsUser)]
    public void User_option_beats_connection_string_beats_environment_beats_os_user(
        string? option, string? conninfo, string? environment, string expected)
    {
        var b = Build(conninfo is null ? null : $"user={conninfo}", user: option,
            environment: environment is null ? null : new() { ["PGUSER"] = environment });

        Assert.Equal(expected, b.Username);
    }

    [Theory]
    [InlineData("given", "conn", "env", "given")]
    [InlineData(null, "conn", "env", "conn")]
    [InlineData(null, null, "env", "env")]
    public void Explicit_password_beats_connection_string_beats_pgpassword(
        string? option, string? conninfo, string? environment, string expected)
    {
        var b = Build(conninfo is null ? null : $"password={conninfo}", password: option,
            environment: environment is null ? null : new() { ["PGPASSWORD"] = environment });

        Assert.Equal(expected, b.Password);
    }

    [Fact]
    public void Passfile_comes_from_connection_string_then_pgpassfile()
    {
        Assert.Equal("/a", Build("passfile=/a", environment: new() { ["PGPASSFILE"] = "/b" }).Passfile);
        Assert.Equal("/b", Build(environment: new() { ["PGPASSFILE"] = "/b" }).Passfile);
    }

    [Theory]
    [InlineData("application_name=conn fallback_application_name=fb", "env", "conn")]
    [InlineData("fallback_application_name=fb", "env", "env")]
    [InlineData("fallback_application_name=fb", null, "fb")]
    [InlineData(null, null, "walreceiver")]
    public void Application_name_comes_from_connection_string_then_pgappname_then_fallback(
        string? conninfo, string? environment, string expected)
    {
        var b = Build(conninfo, environment: environment is null ? null : new() { ["PGAPPNAME"] = environment });

        Assert.Equal(expected, b.ApplicationName);
    }

    [Fact]
    public void Uses_the_given_default_application_name()
    {
        var settings = new ConnectionSettings(null, "h", null, null, null, NoPassword: true, DefaultApplicationName: "archiver1");
        var text = ReplicationConnectionString.Build(settings, _ => null, _ => false, OsUser);

        Assert.Equal("archiver1", new NpgsqlConnectionStringBuilder(text).ApplicationName);
    }

    [Fact]
    public void Prefers_hostaddr_over_host_entry_by_entry()
    {
        Assert.Equal("10.0.0.1", Build("host=db.example.com hostaddr=10.0.0.1").Host);
        Assert.Equal("10.0.0.1,b", Build("host=a,b hostaddr=10.0.0.1,").Host);
        Assert.Equal("192.0.2.7", Build(environment: new() { ["PGHOSTADDR"] = "192.0.2.7" }).Host);
    }

    [Fact]
    public void Rejects_hostaddr_that_is_not_an_ip_address()
    {
        var e = BuildFails("hostaddr=db.example.com");

        Assert.Contains("hostaddr", e.Message, StringComparison.Ordinal);
        Assert.Contains("db.example.com", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_host_and_hostaddr_lists_of_different_lengths()
    {
        var e = BuildFails("host=a,b,c hostaddr=10.0.0.1,10.0.0.2");

        Assert.Contains("could not match 3 host names", e.Message, StringComparison.Ordinal);
        Assert.Contains("2 hostaddr values", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_hosts_sharing_one_port_keep_it_in_port()
    {
        var b = Build("host=a,b port=5433");

        Assert.Equal("a,b", b.Host);
        Assert.Equal(5433, b.Port);
    }

    [Fact]
    public void Several_hosts_with_different_ports_carry_host_colon_port_entries()
    {
        var b = Build("postgresql://a:5433,b,[2001:db8::1]:5435,%2Ftmp:5436/db");

        Assert.Equal("a:5433,b:5432,[2001:db8::1]:5435,/tmp:5436", b.Host);
        Assert.Equal(5432, b.Port);
    }

    [Fact]
    public void Empty_host_entry_means_the_default_socket_directory()
    {
        Assert.Equal("a,/var/run/postgresql", Build("host=a,").Host);
    }

    [Fact]
    public void Port_option_applies_to_every_host_from_the_connection_string()
    {
        var b = Build("host=a,b port=1,2", port: "6000");

        Assert.Equal("a,b", b.Host);
        Assert.Equal(6000, b.Port);
    }

    [Fact]
    public void Rejects_port_list_that_does_not_match_hosts()
    {
        var e = BuildFails("host=a,b,c port=1,2");

        Assert.Contains("could not match 2 port numbers", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 hosts", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("-1")]
    public void Rejects_invalid_port_naming_its_source(string port)
    {
        var fromOption = BuildFails(port: port);
        var fromConnInfo = BuildFails($"port={port} password={Secret}");
        var fromEnvironment = BuildFails(environment: new() { ["PGPORT"] = port });

        Assert.Contains($"invalid port number \"{port}\" (from -p/--port)", fromOption.Message, StringComparison.Ordinal);
        Assert.Contains("(from connection string (-d))", fromConnInfo.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, fromConnInfo.Message, StringComparison.Ordinal);
        Assert.Contains("(from environment variable PGPORT)", fromEnvironment.Message, StringComparison.Ordinal);
        Assert.Contains("1 to 65535", fromOption.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dbname=mydb replication=true host=h")]
    [InlineData("mydb")]
    [InlineData("postgresql://h/mydb?replication=database")]
    public void Ignores_dbname_and_replication(string conninfo)
    {
        var text = BuildText(conninfo);

        Assert.DoesNotContain("Database", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("mydb", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Replication", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Rejects_unknown_connection_string_keyword()
    {
        Assert.Contains("\"hots\"", BuildFails("hots=h").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_password_flag_does_not_change_the_connection_string()
    {
        var with = new ConnectionSettings("host=h password=p", null, null, null, null, NoPassword: true);
        var without = with with { NoPassword = false };

        Assert.Equal(BuildText(without), BuildText(with));
    }

    [Fact]
    public void Builds_with_the_real_file_system_and_user_when_host_and_user_are_given()
    {
        var text = ReplicationConnectionString.Build(new ConnectionSettings(null, "h", "1", "u", null, false), _ => null);

        Assert.Equal("h", new NpgsqlConnectionStringBuilder(text).Host);
    }
}

using WalReceiver.Replication.ConnectionStrings;

namespace WalReceiver.Tests.Replication.ConnectionStrings;

public sealed class LibpqConnectionUriTests
{
    private const string Secret = "Zq9secretPW";

    [Fact]
    public void Parses_uri_with_user_password_host_port_and_database()
    {
        var options = LibpqConnectionInfo.Parse("postgresql://alice:pw@db.example.com:5433/mydb");

        Assert.Equal("alice", options["user"]);
        Assert.Equal("pw", options["password"]);
        Assert.Equal("db.example.com", options["host"]);
        Assert.Equal("5433", options["port"]);
        Assert.Equal("mydb", options["dbname"]);
    }

    [Fact]
    public void Parses_postgres_scheme_as_well()
    {
        Assert.Equal("h", LibpqConnectionInfo.Parse("postgres://h")["host"]);
    }

    [Fact]
    public void Percent_decodes_uri_password()
    {
        var options = LibpqConnectionInfo.Parse("postgresql://bob:p%40ss%2Fw%3Ard%20%C3%A9@h/");

        Assert.Equal("p@ss/w:rd é", options["password"]);
        Assert.Equal("bob", options["user"]);
    }

    [Fact]
    public void Accepts_unencoded_at_sign_in_uri_password()
    {
        var options = LibpqConnectionInfo.Parse("postgresql://bob:p@ss@h");

        Assert.Equal("p@ss", options["password"]);
        Assert.Equal("h", options["host"]);
    }

    [Fact]
    public void Parses_uri_ipv6_host_in_brackets()
    {
        var options = LibpqConnectionInfo.Parse("postgresql://[::1]:5433/db");

        Assert.Equal("::1", options["host"]);
        Assert.Equal("5433", options["port"]);
    }

    [Fact]
    public void Parses_uri_ipv6_host_with_zone_id()
    {
        Assert.Equal("fe80::1%eth0", LibpqConnectionInfo.Parse("postgresql://[fe80::1%25eth0]")["host"]);
    }

    [Fact]
    public void Parses_uri_with_several_hosts_keeping_ports_aligned()
    {
        var options = LibpqConnectionInfo.Parse("postgresql://a:5433,b,[2001:db8::1]:5435/db");

        Assert.Equal("a,b,2001:db8::1", options["host"]);
        Assert.Equal("5433,,5435", options["port"]);
    }

    [Fact]
    public void Parses_uri_with_several_hosts_and_no_ports()
    {
        var options = LibpqConnectionInfo.Parse("postgresql://a,b");

        Assert.Equal("a,b", options["host"]);
        Assert.False(options.ContainsKey("port"));
    }

    [Fact]
    public void Parses_uri_with_percent_encoded_socket_directory()
    {
        Assert.Equal("/var/run/postgresql", LibpqConnectionInfo.Parse("postgresql://%2Fvar%2Frun%2Fpostgresql/db")["host"]);
    }

    [Fact]
    public void Parses_uri_query_parameters_as_keywords()
    {
        var options = LibpqConnectionInfo.Parse(
            "postgresql:///db?host=/tmp&application_name=my%20app&SSLMODE=require&connect_timeout=10");

        Assert.Equal("/tmp", options["host"]);
        Assert.Equal("my app", options["application_name"]);
        Assert.Equal("require", options["sslmode"]);
        Assert.Equal("10", options["connect_timeout"]);
        Assert.Equal("db", options["dbname"]);
    }

    [Fact]
    public void Maps_uri_ssl_true_to_sslmode_require()
    {
        Assert.Equal("require", LibpqConnectionInfo.Parse("postgresql://h?ssl=true")["sslmode"]);
    }

    [Fact]
    public void Parses_uri_with_nothing_after_the_scheme()
    {
        Assert.Empty(LibpqConnectionInfo.Parse("postgresql://"));
    }

    [Fact]
    public void Rejects_unknown_uri_query_parameter_naming_it()
    {
        var e = Assert.Throws<ConnectionInfoException>(() => LibpqConnectionInfo.Parse("postgresql://h?sslmod=require"));

        Assert.Contains("\"sslmod\"", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql://u:" + Secret + "%zz@h")]
    [InlineData("postgresql://u:" + Secret + "%4@h")]
    [InlineData("postgresql://u:" + Secret + "%00@h")]
    [InlineData("postgresql://u:" + Secret + "%C3@h")]
    public void Rejects_bad_percent_encoding_in_uri_password_without_showing_it(string text)
    {
        var e = Assert.Throws<ConnectionInfoException>(() => LibpqConnectionInfo.Parse(text));

        Assert.Contains("password", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_uri_port_that_is_really_part_of_an_unencoded_password()
    {
        var e = Assert.Throws<ConnectionInfoException>(() => LibpqConnectionInfo.Parse($"postgresql://u:{Secret}/x@h"));

        Assert.Contains("invalid port", e.Message, StringComparison.Ordinal);
        Assert.Contains("percent-encode", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql://[::1/db", "missing \"]\"")]
    [InlineData("postgresql://[]:5432", "empty IPv6 address")]
    [InlineData("postgresql://[::1]x", "after an IPv6 address")]
    [InlineData("postgresql://h?host", "missing \"=\" in query parameter \"host\"")]
    [InlineData("postgresql://h?ssl=false", "\"ssl\"")]
    public void Rejects_malformed_uris(string text, string expected)
    {
        var e = Assert.Throws<ConnectionInfoException>(() => LibpqConnectionInfo.Parse(text));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}

using Npgsql;
using WalReceiver.Replication.ConnectionStrings;
using static WalReceiver.Tests.Replication.ConnectionStrings.TestConnectionStrings;

namespace WalReceiver.Tests.Replication.ConnectionStrings;

public sealed class ReplicationConnectionStringSplitTests
{
    [Fact]
    public void Split_hosts_drops_keepalives_from_unix_socket_entries()
    {
        var text = BuildText("host=db,/tmp keepalives_idle=30 keepalives_interval=5");

        var split = ReplicationConnectionString.SplitHosts(text).Select(s => new NpgsqlConnectionStringBuilder(s)).ToList();

        Assert.True(new NpgsqlConnectionStringBuilder(text).TcpKeepAlive);
        Assert.Equal((true, 30, 5), (split[0].TcpKeepAlive, split[0].TcpKeepAliveTime, split[0].TcpKeepAliveInterval));
        Assert.Equal((false, 0, 0), (split[1].TcpKeepAlive, split[1].TcpKeepAliveTime, split[1].TcpKeepAliveInterval));
    }

    [Fact]
    public void Split_hosts_gives_one_single_host_string_per_server_in_order()
    {
        var text = BuildText("postgresql://u:pw@a:5433,b,[2001:db8::1]:5435,%2Ftmp:5436/db?target_session_attrs=read-write");

        var split = ReplicationConnectionString.SplitHosts(text).Select(s => new NpgsqlConnectionStringBuilder(s)).ToList();

        Assert.Equal(["a", "b", "2001:db8::1", "/tmp"], split.Select(b => b.Host));
        Assert.Equal([5433, 5432, 5435, 5436], split.Select(b => b.Port));
        Assert.All(split, b => Assert.Null(b.TargetSessionAttributes));
        Assert.All(split, b => Assert.Equal("pw", b.Password));
        Assert.All(split, b => Assert.Equal("u", b.Username));
    }

    [Theory]
    [InlineData("host=a,b port=6000", new[] { "a", "b" }, new[] { 6000, 6000 })]
    [InlineData("host=::1,fe80::1%eth0 port=6000", new[] { "::1", "fe80::1%eth0" }, new[] { 6000, 6000 })]
    [InlineData("host=db port=6000 target_session_attrs=standby", new[] { "db" }, new[] { 6000 })]
    [InlineData("host=/tmp,/run port=6000,6001", new[] { "/tmp", "/run" }, new[] { 6000, 6001 })]
    public void Split_hosts_keeps_shared_ports_and_unbracketed_addresses(string conninfo, string[] hosts, int[] ports)
    {
        var text = BuildText(conninfo);

        var split = ReplicationConnectionString.SplitHosts(text).Select(s => new NpgsqlConnectionStringBuilder(s)).ToList();

        Assert.Equal(hosts, split.Select(b => b.Host));
        Assert.Equal(ports, split.Select(b => b.Port));
        Assert.All(split, b => Assert.Null(b.TargetSessionAttributes));
    }

    [Fact]
    public void Redact_removes_passwords_and_keeps_the_rest()
    {
        var text = BuildText(new ConnectionSettings($"host=h sslpassword=K{Secret}", null, null, "u", Secret, false));

        var redacted = ReplicationConnectionString.Redact(text);

        Assert.Contains(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, redacted, StringComparison.Ordinal);
        Assert.Equal("h", new NpgsqlConnectionStringBuilder(redacted).Host);
        Assert.Equal("u", new NpgsqlConnectionStringBuilder(redacted).Username);
    }

    [Fact]
    public void Redact_hides_a_string_it_cannot_parse()
    {
        var redacted = ReplicationConnectionString.Redact($"Host=h;Password={Secret};Bogus Key=1");

        Assert.DoesNotContain(Secret, redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_to_string_hides_the_password_and_connection_string()
    {
        var text = new ConnectionSettings($"password={Secret}", "h", null, null, Secret, false).ToString();

        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.Contains("Host = h", text, StringComparison.Ordinal);
    }
}

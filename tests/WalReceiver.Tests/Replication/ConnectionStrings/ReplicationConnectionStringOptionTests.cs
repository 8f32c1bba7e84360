using Npgsql;
using static WalReceiver.Tests.Replication.ConnectionStrings.TestConnectionStrings;

namespace WalReceiver.Tests.Replication.ConnectionStrings;

public sealed class ReplicationConnectionStringOptionTests
{
    [Theory]
    [InlineData("disable", SslMode.Disable)]
    [InlineData("allow", SslMode.Allow)]
    [InlineData("prefer", SslMode.Prefer)]
    [InlineData("require", SslMode.Require)]
    [InlineData("verify-ca", SslMode.VerifyCA)]
    [InlineData("verify-full", SslMode.VerifyFull)]
    public void Maps_sslmode(string libpq, SslMode expected)
    {
        Assert.Equal(expected, Build($"sslmode={libpq}").SslMode);
        Assert.Equal(expected, Build(environment: new() { ["PGSSLMODE"] = libpq }).SslMode);
    }

    [Fact]
    public void Rejects_invalid_sslmode_listing_accepted_values()
    {
        var e = BuildFails($"sslmode=required password={Secret}");

        Assert.Contains("invalid sslmode value \"required\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("disable, allow, prefer, require, verify-ca, verify-full", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Maps_ssl_files_and_key_password()
    {
        var b = Build("sslrootcert=/r.crt sslcert=/c.crt sslkey=/c.key sslpassword=kp");

        Assert.Equal("/r.crt", b.RootCertificate);
        Assert.Equal("/c.crt", b.SslCertificate);
        Assert.Equal("/c.key", b.SslKey);
        Assert.Equal("kp", b.SslPassword);
    }

    [Fact]
    public void Takes_ssl_files_from_the_environment()
    {
        var b = Build(environment: new() { ["PGSSLROOTCERT"] = "/r", ["PGSSLCERT"] = "/c", ["PGSSLKEY"] = "/k" });

        Assert.Equal("/r", b.RootCertificate);
        Assert.Equal("/c", b.SslCertificate);
        Assert.Equal("/k", b.SslKey);
    }

    [Fact]
    public void Sslrootcert_system_means_the_system_store_and_verify_full()
    {
        var b = Build("sslrootcert=system");

        Assert.Null(b.RootCertificate);
        Assert.Equal(SslMode.VerifyFull, b.SslMode);
        Assert.Equal(SslMode.Require, Build("sslrootcert=system sslmode=require").SslMode);
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData("0", 0)]
    [InlineData("-5", 0)]
    [InlineData("1", 2)]
    [InlineData("10", 10)]
    [InlineData(" 30 ", 30)]
    [InlineData("5000", 1024)]
    public void Maps_connect_timeout_like_libpq(string? value, int expected)
    {
        Assert.Equal(expected, Build(value is null ? null : $"connect_timeout='{value}'").Timeout);
    }

    [Fact]
    public void Takes_connect_timeout_from_the_environment()
    {
        Assert.Equal(7, Build(environment: new() { ["PGCONNECT_TIMEOUT"] = "7" }).Timeout);
    }

    [Fact]
    public void Rejects_connect_timeout_that_is_not_a_number()
    {
        var e = BuildFails(environment: new() { ["PGCONNECT_TIMEOUT"] = "ten" });

        Assert.Contains("invalid connect_timeout value \"ten\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("PGCONNECT_TIMEOUT", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("read-write")]
    [InlineData("read-only")]
    [InlineData("primary")]
    [InlineData("standby")]
    [InlineData("prefer-standby")]
    public void Passes_target_session_attrs_for_several_hosts(string value)
    {
        var b = Build($"host=a,b target_session_attrs={value}");

        Assert.Equal(value, b.TargetSessionAttributes);
        Assert.Equal("a,b", b.Host);
    }

    [Fact]
    public void Keeps_a_required_session_type_for_a_single_host()
    {
        var b = Build("host=a port=5433", environment: new() { ["PGTARGETSESSIONATTRS"] = "primary" });

        Assert.Equal("a", b.Host);
        Assert.Equal(5433, b.Port);
        Assert.Equal("primary", b.TargetSessionAttributes);
    }

    [Theory]
    [InlineData("any")]
    [InlineData("prefer-standby")]
    public void Drops_a_mere_preference_for_a_single_host(string value)
    {
        var b = Build($"host=a target_session_attrs={value}");

        Assert.Equal("a", b.Host);
        Assert.Null(b.TargetSessionAttributes);
    }

    [Fact]
    public void Rejects_invalid_target_session_attrs_listing_accepted_values()
    {
        var e = BuildFails("target_session_attrs=master");

        Assert.Contains("target_session_attrs", e.Message, StringComparison.Ordinal);
        Assert.Contains("any, read-write, read-only, primary, standby, prefer-standby", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Turns_tcp_keepalives_on_by_default_like_libpq()
    {
        var b = Build("host=db");

        Assert.True(b.TcpKeepAlive);
        Assert.Equal(0, b.TcpKeepAliveTime);
    }

    [Fact]
    public void Maps_keepalive_idle_and_interval()
    {
        var b = Build("host=db keepalives_idle=30 keepalives_interval=5 keepalives_count=3 tcp_user_timeout=1000");

        Assert.True(b.TcpKeepAlive);
        Assert.Equal(30, b.TcpKeepAliveTime);
        Assert.Equal(5, b.TcpKeepAliveInterval);
    }

    [Fact]
    public void Drops_keepalive_interval_without_idle_time()
    {
        var b = Build("host=db keepalives_interval=5");

        Assert.True(b.TcpKeepAlive);
        Assert.Equal(0, b.TcpKeepAliveInterval);
    }

    [Theory]
    [InlineData("host=db keepalives=0 keepalives_idle=30")]
    [InlineData("host=/tmp keepalives_idle=30")]
    [InlineData("host=/tmp,@abstract keepalives_idle=30")]
    public void Leaves_keepalives_off_when_disabled_or_on_unix_sockets(string conninfo)
    {
        var b = Build(conninfo);

        Assert.False(b.TcpKeepAlive);
        Assert.Equal(0, b.TcpKeepAliveTime);
    }

    [Theory]
    [InlineData("keepalives=yes", "keepalives")]
    [InlineData("keepalives_idle=-1", "keepalives_idle")]
    [InlineData("keepalives_count=x", "keepalives_count")]
    [InlineData("tcp_user_timeout=1s", "tcp_user_timeout")]
    [InlineData("gssencmode=on", "gssencmode")]
    [InlineData("channel_binding=always", "channel_binding")]
    public void Rejects_invalid_values_naming_the_option(string conninfo, string keyword)
    {
        Assert.Contains($"invalid {keyword} value", BuildFails(conninfo).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Maps_the_remaining_options()
    {
        var b = Build("options='-c wal_sender_timeout=0' client_encoding=LATIN1 krbsrvname=pg "
            + "channel_binding=require gssencmode=disable");

        Assert.Equal("-c wal_sender_timeout=0", b.Options);
        Assert.Equal("LATIN1", b.ClientEncoding);
        Assert.Equal("pg", b.KerberosServiceName);
        Assert.Equal(ChannelBinding.Require, b.ChannelBinding);
        Assert.Equal(GssEncryptionMode.Disable, b.GssEncryptionMode);
    }

    [Fact]
    public void Takes_options_from_pgoptions_and_skips_client_encoding_auto()
    {
        var b = Build("client_encoding=auto", environment: new() { ["PGOPTIONS"] = "-c x=y" });

        Assert.Equal("-c x=y", b.Options);
        Assert.Null(b.ClientEncoding);
    }
}

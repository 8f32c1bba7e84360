using WalReceiver.Replication.ConnectionStrings;

namespace WalReceiver.Tests.Replication.ConnectionStrings;

public sealed class LibpqConnectionInfoTests
{
    private const string Secret = "Zq9secretPW";

    [Fact]
    public void Parses_keyword_value_pairs()
    {
        var options = LibpqConnectionInfo.Parse("host=localhost port=5432 user=postgres");

        Assert.Equal("localhost", options["host"]);
        Assert.Equal("5432", options["port"]);
        Assert.Equal("postgres", options["user"]);
        Assert.Equal(3, options.Count);
    }

    [Fact]
    public void Allows_whitespace_around_equals_sign()
    {
        var options = LibpqConnectionInfo.Parse("  host =  db1\tport= 5433\n user =x ");

        Assert.Equal("db1", options["host"]);
        Assert.Equal("5433", options["port"]);
        Assert.Equal("x", options["user"]);
    }

    [Fact]
    public void Parses_quoted_value_with_spaces()
    {
        Assert.Equal("a b", LibpqConnectionInfo.Parse("user='a b'")["user"]);
    }

    [Fact]
    public void Parses_quoted_value_with_escaped_quote()
    {
        Assert.Equal("it's", LibpqConnectionInfo.Parse(@"password='it\'s' host=h")["password"]);
    }

    [Fact]
    public void Parses_quoted_value_with_escaped_backslash()
    {
        Assert.Equal(@"a\b", LibpqConnectionInfo.Parse(@"password='a\\b'")["password"]);
    }

    [Fact]
    public void Parses_empty_quoted_value()
    {
        Assert.Equal(string.Empty, LibpqConnectionInfo.Parse("password='' host=h")["password"]);
    }

    [Fact]
    public void Parses_backslash_escapes_in_unquoted_value()
    {
        var options = LibpqConnectionInfo.Parse(@"application_name=a\ b password=x\'y");

        Assert.Equal("a b", options["application_name"]);
        Assert.Equal("x'y", options["password"]);
    }

    [Fact]
    public void Unquoted_value_ends_at_whitespace()
    {
        var options = LibpqConnectionInfo.Parse("options=-cfoo=bar host=h");

        Assert.Equal("-cfoo=bar", options["options"]);
        Assert.Equal("h", options["host"]);
    }

    [Fact]
    public void Lowercases_keywords()
    {
        Assert.Equal("h", LibpqConnectionInfo.Parse("HOST=h")["host"]);
    }

    [Fact]
    public void Last_value_of_a_repeated_keyword_wins()
    {
        Assert.Equal("b", LibpqConnectionInfo.Parse("host=a host=b")["host"]);
    }

    [Fact]
    public void Accepts_every_known_keyword()
    {
        var text = string.Join(' ', LibpqConnectionInfo.KnownKeywords.Select(k => k + "=1"));

        Assert.Equal(27, LibpqConnectionInfo.Parse(text).Count);
    }

    [Theory]
    [InlineData("mydb")]
    [InlineData("replication")]
    public void Treats_a_string_without_equals_sign_as_a_database_name(string text)
    {
        var options = LibpqConnectionInfo.Parse(text);

        Assert.Equal(text, Assert.Single(options).Value);
        Assert.Equal("dbname", options.Keys.Single());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Parses_an_empty_string_to_no_options(string text)
    {
        Assert.Empty(LibpqConnectionInfo.Parse(text));
    }

    [Fact]
    public void Rejects_unknown_keyword_naming_it_and_listing_known_ones()
    {
        var e = Assert.Throws<ConnectionInfoException>(() => LibpqConnectionInfo.Parse("hots=localhost"));

        Assert.Contains("invalid connection option \"hots\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("-d", e.Message, StringComparison.Ordinal);
        Assert.Contains("host, hostaddr, port", e.Message, StringComparison.Ordinal);
        Assert.Contains("libpq", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_unterminated_quoted_string_without_showing_the_password()
    {
        var e = Assert.Throws<ConnectionInfoException>(() => LibpqConnectionInfo.Parse($"host=h password='{Secret}"));

        Assert.Contains("unterminated quoted string", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_keyword_without_equals_sign_naming_it()
    {
        var e = Assert.Throws<ConnectionInfoException>(() => LibpqConnectionInfo.Parse("port=5432 host localhost"));

        Assert.Contains("missing \"=\" after \"host\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_missing_keyword_before_equals_sign()
    {
        var e = Assert.Throws<ConnectionInfoException>(() => LibpqConnectionInfo.Parse($"host=h ={Secret}"));

        Assert.Contains("missing keyword", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("password=abc " + Secret + " host=h")]
    [InlineData("password=abc " + Secret + "=x host=h")]
    [InlineData("postgresql://h?password=abc&" + Secret)]
    [InlineData("postgresql://h?password=abc&" + Secret + "=x")]
    public void Does_not_echo_what_may_be_the_rest_of_an_unquoted_password(string text)
    {
        var e = Assert.Throws<ConnectionInfoException>(() => LibpqConnectionInfo.Parse(text));

        Assert.Contains("password", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connection_info_exception_is_a_format_exception()
    {
        Assert.IsAssignableFrom<FormatException>(new ConnectionInfoException("x"));
    }
}

using WalReceiver.ObjectStorage;

namespace WalReceiver.Tests.ObjectStorage;

public sealed class S3LocationTests
{
    [Theory]
    [InlineData("s3://walarchive", "walarchive", "", "000000010000000000000001")]
    [InlineData("s3://walarchive/", "walarchive", "", "000000010000000000000001")]
    [InlineData("s3://wal-archive.eu/prod/main", "wal-archive.eu", "prod/main", "prod/main/000000010000000000000001")]
    [InlineData("s3://abc/x/", "abc", "x", "x/000000010000000000000001")]
    public void Locations_parse_and_name_objects_flat_under_the_prefix(string text, string bucket, string prefix, string key)
    {
        Assert.True(S3Location.TryParse(text, out var location, out var problem), problem);
        Assert.Equal(bucket, location.Bucket);
        Assert.Equal(prefix, location.Prefix);
        Assert.Equal(key, location.KeyOf("000000010000000000000001"));
    }

    [Theory]
    [InlineData(null, "write it as s3://BUCKET/PREFIX")]
    [InlineData("walarchive/prefix", "write it as s3://BUCKET/PREFIX")]
    [InlineData("S3://walarchive", "write it as s3://BUCKET/PREFIX")]
    [InlineData("s3://ab", "is not a bucket name")]
    [InlineData("s3://Wal", "is not a bucket name")]
    [InlineData("s3://-wal", "is not a bucket name")]
    [InlineData("s3://wal_archive", "is not a bucket name")]
    [InlineData("s3://walarchive/a//b", "has an empty")]
    [InlineData("s3://walarchive/../b", "has an empty")]
    public void Bad_locations_say_what_is_wrong(string? text, string message)
    {
        Assert.False(S3Location.TryParse(text, out _, out var problem));
        Assert.Contains(message, problem, StringComparison.Ordinal);
    }
}

using System.Diagnostics.CodeAnalysis;

namespace WalReceiver.ObjectStorage;

/// <summary>
/// Where in a bucket an archive goes: <c>s3://BUCKET/PREFIX</c>. Objects are named PREFIX/FILE, flat, with the archive's
/// own file names: the names already carry the timeline and sort in WAL order, and <c>restore</c> finds the object of
/// <c>%f</c> without listing.
/// </summary>
internal sealed record S3Location(string Bucket, string Prefix)
{
    /// <summary>The object key of the archive file <paramref name="fileName"/>.</summary>
    public string KeyOf(string fileName) => Prefix.Length == 0 ? fileName : Prefix + "/" + fileName;

    /// <summary>The location as given: <c>s3://bucket/prefix</c>.</summary>
    public override string ToString() => Prefix.Length == 0 ? $"s3://{Bucket}" : $"s3://{Bucket}/{Prefix}";

    /// <summary>Parses <c>s3://BUCKET[/PREFIX]</c>; <paramref name="problem"/> says what is wrong and how to write it otherwise.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out S3Location? location, [NotNullWhen(false)] out string? problem)
    {
        location = null;
        const string scheme = "s3://";
        if (text is null || !text.StartsWith(scheme, StringComparison.Ordinal))
        {
            problem = $"\"{text}\" is not a bucket location: write it as s3://BUCKET/PREFIX";
            return false;
        }

        var rest = text[scheme.Length..].TrimEnd('/');
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..];
        // S3's bucket naming rules: 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit.
        if (bucket.Length is < 3 or > 63 || !bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-')
            || !char.IsAsciiLetterOrDigit(bucket[0]) || !char.IsAsciiLetterOrDigit(bucket[^1]))
        {
            problem = $"\"{bucket}\" in \"{text}\" is not a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens";
            return false;
        }

        if (prefix.Contains("//", StringComparison.Ordinal) || prefix.Split('/').Any(p => p is "." or ".."))
        {
            problem = $"the prefix \"{prefix}\" in \"{text}\" has an empty, \".\" or \"..\" part: write it as s3://BUCKET/a/b";
            return false;
        }

        location = new S3Location(bucket, prefix);
        problem = null;
        return true;
    }
}

using System.CommandLine;

namespace WalReceiver.Cli.Commands;

/// <summary>Options that the verbs which reach a bucket share (<c>receive</c> uploads to it, <c>restore</c> reads from it).</summary>
internal static class BucketOptions
{
    /// <summary>A new <c>--endpoint URL</c> option (each command needs its own instance).</summary>
    public static Option<string> CreateEndpoint() => new("--endpoint")
    {
        Description = "the S3 endpoint of a non-AWS server (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS)",
        HelpName = "URL",
    };
}

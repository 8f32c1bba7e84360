using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace WalReceiver.ObjectStorage;

/// <summary>
/// Makes the S3 client the standard AWS way: credentials from the SDK's chain (environment, profile, instance role),
/// the region from <c>AWS_REGION</c>, and a non-AWS endpoint from the option, <c>AWS_ENDPOINT_URL_S3</c> or
/// <c>AWS_ENDPOINT_URL</c>, with path-style addressing there (MinIO-style servers need it).
/// </summary>
internal static class S3Clients
{
    /// <summary>
    /// A client with the access key and secret from configuration when both are given, else the SDK's credential chain.
    /// </summary>
    public static AmazonS3Client Create(string? endpoint, Func<string, string?> environment, string? accessKeyId, string? secretAccessKey) =>
        Create(endpoint, environment, accessKeyId is not null && secretAccessKey is not null ? new BasicAWSCredentials(accessKeyId, secretAccessKey) : null);

    /// <summary>A client for <paramref name="endpoint"/> (null: the environment's, else AWS); <paramref name="credentials"/> null: the SDK's chain.</summary>
    public static AmazonS3Client Create(string? endpoint, Func<string, string?> environment, AWSCredentials? credentials = null)
    {
        endpoint ??= environment("AWS_ENDPOINT_URL_S3") ?? environment("AWS_ENDPOINT_URL");
        var region = environment("AWS_REGION") ?? environment("AWS_DEFAULT_REGION");
        var config = new AmazonS3Config
        {
            // Content-MD5 is what every S3-compatible server understands; the SDK's newer trailing checksums and
            // aws-chunked bodies are not (a server that does not decode them stores the chunk framing as the object).
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 2,
        };
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = region ?? "us-east-1";
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region ?? "us-east-1");
        }

        return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }
}

using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using WalReceiver.Diagnostics;

namespace WalReceiver.ObjectStorage;

/// <summary>
/// Tells a failed request to the bucket from a bug or a cancellation (for uploads, restores and verify alike), and turns
/// what the AWS SDK throws during a restore into a <see cref="WalReceiverException"/> whose message names the fix: the
/// credentials, the bucket in <c>--target</c>, the endpoint.
/// </summary>
internal static class BucketErrors
{
    /// <summary>Whether <paramref name="e"/> is a failure of a request to the bucket (rather than a bug or a cancellation).</summary>
    public static bool IsRequestFailure(Exception e) =>
        e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException;

    /// <summary>The error for <paramref name="e"/>, thrown while trying to <paramref name="action"/> at <paramref name="source"/>.</summary>
    public static WalReceiverException Translate(Exception e, string action, string source)
    {
        var why = e.Message.TrimEnd('.');
        if (e is AmazonS3Exception s3)
        {
            if (s3.ErrorCode == "NoSuchBucket")
            {
                return new WalReceiverException(FailureKind.Configuration,
                    $"could not {action}: the bucket of {source} does not exist; fix --target in restore_command", e);
            }

            if (s3.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized
                || s3.ErrorCode is "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "AccessDenied")
            {
                return new WalReceiverException(FailureKind.Configuration,
                    $"could not {action}: {source} refused the request ({s3.ErrorCode}: {why}). Check the credentials in the environment of " +
                    "the server that runs restore_command (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role) " +
                    "and that they may list and read the prefix", e);
            }
        }

        if (IsNetwork(e))
        {
            return new WalReceiverException(FailureKind.Transient,
                $"could not {action}: {source} could not be reached ({Innermost(e)}). Check --endpoint (or AWS_ENDPOINT_URL_S3) in " +
                "restore_command and the network", e);
        }

        if (e is AmazonClientException && why.Contains("credentials", StringComparison.OrdinalIgnoreCase))
        {
            return new WalReceiverException(FailureKind.Configuration,
                $"could not {action}: {why}. Give the server that runs restore_command credentials: AWS_ACCESS_KEY_ID and " +
                "AWS_SECRET_ACCESS_KEY in its environment (or in restore_command), AWS_PROFILE, or an instance role", e);
        }

        return new WalReceiverException(FailureKind.Transient, $"could not {action} at {source}: {why}", e);
    }

    private static bool IsNetwork(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is HttpRequestException or SocketException or IOException or TimeoutException or TaskCanceledException)
                return true;
        }

        return false;
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is { } inner)
            e = inner;
        return e.Message.TrimEnd('.');
    }
}

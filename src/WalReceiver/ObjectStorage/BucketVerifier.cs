using WalReceiver.Storage;

namespace WalReceiver.ObjectStorage;

/// <summary><c>walreceiver verify --target s3://BUCKET/PREFIX</c>: the archive verifier over a bucket prefix's objects.</summary>
internal static class BucketVerifier
{
    /// <summary>Lists and verifies the archive under <paramref name="location"/>, with a client made as <see cref="S3Clients"/> makes it.</summary>
    /// <exception cref="IOException">The bucket cannot be listed (no such bucket, no access, no answer).</exception>
    public static async Task<ArchiveVerificationReport> VerifyAsync(S3Location location, string? endpoint, Func<string, string?> environment,
        CancellationToken cancellationToken)
    {
        using var s3 = S3Clients.Create(endpoint, environment);
        BucketArchiveSource source;
        try
        {
            source = await BucketArchiveSource.ListAsync(s3, location, cancellationToken);
        }
        catch (Exception e) when (BucketErrors.IsRequestFailure(e) && e is not IOException)
        {
            throw new IOException($"cannot list {location}: {e.Message}", e);
        }

        // The verifier reads synchronously: off the caller's thread.
        return await Task.Run(() => ArchiveVerifier.Verify(source), cancellationToken);
    }
}

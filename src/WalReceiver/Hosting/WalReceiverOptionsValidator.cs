using WalReceiver.ObjectStorage;
using Microsoft.Extensions.Options;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Hosting;

/// <summary>Checks <see cref="WalReceiverOptions"/> when the host starts, before any connection is made.</summary>
internal sealed class WalReceiverOptionsValidator : IValidateOptions<WalReceiverOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, WalReceiverOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Directory))
            failures.Add("no target directory specified: give one with -D/--directory (WalReceiver:Directory)");
        else if (!System.IO.Directory.Exists(options.Directory))
            failures.Add($"could not open directory \"{options.Directory}\": it does not exist. Create it (mkdir -m 700) or fix the path");
        else if (ProbeWrite(options.Directory) is { } error)
            failures.Add($"cannot write to directory \"{options.Directory}\": {error}. Fix its owner or permissions");
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
            failures.Add("no connection given (WalReceiver:ConnectionString)");
        if (options.EndPosition is { } e && !Lsn.TryParse(e, out _))
            failures.Add($"could not parse end position \"{e}\": use an LSN such as 0/3000060");
        if (options.Synchronous && options.NoSync)
            failures.Add("cannot use --synchronous together with --no-sync");
        if (options.StatusInterval < TimeSpan.Zero)
            failures.Add("the status interval must not be negative");
        if (options.IdleFlushDelay <= TimeSpan.Zero)
            failures.Add("WalReceiver:IdleFlushDelay must be positive");
        if (options.MaxUnflushedAge <= TimeSpan.Zero)
            failures.Add("WalReceiver:MaxUnflushedAge must be positive");
        if (options.ReceiveTimeout < TimeSpan.Zero)
            failures.Add("the receive timeout must not be negative (0 waits forever)");
        if (options.Target is { } target && !S3Location.TryParse(target, out _, out var targetError))
            failures.Add($"{targetError} (--target, or Target in the configuration)");
        if (options.Endpoint is { } endpoint && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
            failures.Add($"\"{endpoint}\" is not an endpoint URL: write it as http://HOST:PORT or https://HOST (--endpoint, or Endpoint in the configuration)");
        if (options.Durability == DurabilityMode.Uploaded && options.Target is null)
            failures.Add("--durability uploaded needs a bucket: give --target s3://BUCKET/PREFIX (Target in the configuration)");
        if (options.Durability == DurabilityMode.Uploaded && options.Slot is null && !options.Synchronous)
            failures.Add("--durability uploaded makes a slot hold WAL until it is in the bucket: give --slot (Slot in the configuration)");
        if ((options.AccessKeyId is null) != (options.SecretAccessKey is null))
            failures.Add("AccessKeyId and SecretAccessKey go together: give both, or neither to use the AWS credential chain (environment, profile, instance role)");
        if (options.KeepLocal is not null && options.Target is null)
            failures.Add("--keep-local removes local copies once they are in a bucket: give --target s3://BUCKET/PREFIX too");
        else if (options.KeepLocal is < LocalRetention.MinimumKept)
            failures.Add($"--keep-local {options.KeepLocal} keeps too few: at least {LocalRetention.MinimumKept} (the newest complete segment, which a restart resumes after)");
        if (!CompressionSpecification.TryParse(options.Compression ?? "", out var compression, out var compressionError))
            failures.Add($"{compressionError} (-Z/--compress, or Compression in the configuration): use none, gzip[:1-9], lz4[:1-12] or zstd[:1-22]");
        else if (compression.Workers is > 0)
            failures.Add("zstd workers are not supported: give zstd[:LEVEL] without workers");
        if (options.ReconnectDelay <= TimeSpan.Zero || options.MaxReconnectDelay < options.ReconnectDelay)
            failures.Add("WalReceiver:ReconnectDelay must be positive and not above WalReceiver:MaxReconnectDelay");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Creating a file is the only reliable test (ACLs, read-only mounts); the probe deletes itself on close.
    private static string? ProbeWrite(string directory)
    {
        try
        {
            using var probe = new FileStream(Path.Combine(directory, $".walreceiver-probe-{Environment.ProcessId}"), FileMode.CreateNew,
                FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message.TrimEnd('.');
        }
    }
}

using Microsoft.Extensions.Options;
using WalReceiver.Replication.ConnectionStrings;
using WalReceiver.Wal;

namespace WalReceiver.Hosting;

/// <summary>Checks the daemon's configuration before anything connects; every message names the key and the fix.</summary>
internal sealed class DaemonOptionsValidator : IValidateOptions<DaemonOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, DaemonOptions options)
    {
        var failures = new List<string>();
        if (options.Sources.Count == 0)
            failures.Add("WalReceiver:Sources is empty: configure at least one source (Name, ConnectionString, Slot, Directory)");
        var names = new HashSet<string>(StringComparer.Ordinal);
        var directories = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Sources.Count; i++)
        {
            var s = options.Sources[i];
            var key = $"WalReceiver:Sources:{i}";
            if (string.IsNullOrEmpty(s.Name) || !s.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
                failures.Add($"{key}:Name \"{s.Name}\" must be letters, digits, '_' or '-'");
            else if (!names.Add(s.Name))
                failures.Add($"{key}:Name \"{s.Name}\" is used twice: source names must be unique");
            WalReceiverOptions receiver;
            try
            {
                receiver = SourceOptions.ToReceiverOptions(s, Environment.GetEnvironmentVariable);
            }
            catch (ConnectionInfoException e)
            {
                failures.Add($"{key}:ConnectionString: {e.Message}");
                continue;
            }

            if (s.Slot is { } slot && !ReplicationSlotName.IsValid(slot))
                failures.Add($"{key}:Slot \"{slot}\" is not a valid slot name: use 1 to 63 lower-case letters, digits and underscores");
            if (ArchivePath(s.Directory) is { } archive && !directories.TryAdd(archive, s.Name))
                failures.Add($"{key}:Directory \"{s.Directory}\" is also the directory of source \"{directories[archive]}\": two receivers " +
                    "would interleave their writes. Give each source a directory of its own");
            if (s.MaxLagBytes <= 0)
                failures.Add($"{key}:MaxLagBytes must be positive");
            if (s.MaxUploadBacklogBytes <= 0)
                failures.Add($"{key}:MaxUploadBacklogBytes must be positive");
            foreach (var f in new WalReceiverOptionsValidator().Validate(null, receiver).Failures ?? [])
                failures.Add($"{key}: {f}");
        }

        if (!Uri.TryCreate(options.Http.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            failures.Add($"WalReceiver:Http:Url \"{options.Http.Url}\" is not an http:// URL such as http://127.0.0.1:9898");
        if (options.Otlp.Endpoint is { Length: > 0 } otlp && (!Uri.TryCreate(otlp, UriKind.Absolute, out var o) || o.Scheme is not ("http" or "https")))
            failures.Add($"WalReceiver:Otlp:Endpoint \"{otlp}\" is not an http:// URL such as http://127.0.0.1:4318");
        if (options.Otlp.Protocol is not ("http/protobuf" or "grpc"))
            failures.Add($"WalReceiver:Otlp:Protocol \"{options.Otlp.Protocol}\" must be http/protobuf or grpc");
        if (options.Otlp.ExportInterval < TimeSpan.FromMilliseconds(100))
            failures.Add("WalReceiver:Otlp:ExportInterval must be at least 00:00:00.1");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // The same directory however it is spelled: relative or absolute, with a trailing slash, or through a symbolic link.
    private static string? ArchivePath(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory))
            return null;
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        try
        {
            return new DirectoryInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full;
        }
    }
}

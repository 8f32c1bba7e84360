using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using WalReceiver.ObjectStorage;
using WalReceiver.Storage;

namespace WalReceiver.Cli.Commands.Verify;

/// <summary>What <c>walreceiver verify</c> does.</summary>
internal static class VerifyCommand
{
    /// <summary>Verifies the archive and prints the findings; exit 0 without errors, 1 with, 3 when the directory or bucket cannot be read.</summary>
    public static async Task<int> RunAsync(ParseResult p, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (p.GetValue(VerifyCommandDefinition.Target) is { } target)
            return await RunOnBucketAsync(p, target, output, error, cancellationToken);
        var directory = p.GetValue(VerifyCommandDefinition.Directory)!;
        ArchiveVerificationReport report;
        try
        {
            if (!Directory.Exists(directory))
                throw new DirectoryNotFoundException(
                    $"archive directory \"{directory}\" does not exist: pass the directory the receiver writes to with -D");
            // The work is synchronous file reading; off the caller's thread so a cancellation can still be observed.
            report = await Task.Run(() => ArchiveVerifier.Verify(directory), cancellationToken);
            report = await Task.Run(() => WithIndexes(directory, report), cancellationToken);
        }
        catch (Exception e) when (e is DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            await error.WriteLineAsync($"walreceiver: error: {Message(e, directory)}");
            return ExitCodes.Configuration;
        }

        return await PrintAsync(p, output, ToJson(directory, null, report), report);
    }

    // The bucket's copy of an archive: the same checks over its objects, each streamed once; no recovery target index
    // (those live in a directory).
    private static async Task<int> RunOnBucketAsync(ParseResult p, string target, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!S3Location.TryParse(target, out var location, out var problem))
        {
            await error.WriteLineAsync($"walreceiver: error: --target: {problem}");
            return ExitCodes.Configuration;
        }

        ArchiveVerificationReport report;
        try
        {
            report = await BucketVerifier.VerifyAsync(location, p.GetValue(VerifyCommandDefinition.Endpoint), Environment.GetEnvironmentVariable, cancellationToken);
        }
        catch (IOException e)
        {
            await error.WriteLineAsync($"walreceiver: error: {e.Message}");
            return ExitCodes.Configuration;
        }

        return await PrintAsync(p, output, ToJson(null, location.ToString(), report), report);
    }

    private static async Task<int> PrintAsync(ParseResult p, TextWriter output, VerifyJsonReport json, ArchiveVerificationReport report)
    {
        if (p.GetValue(VerifyCommandDefinition.Json))
            await output.WriteLineAsync(JsonSerializer.Serialize(json, VerifyJsonContext.Default.VerifyJsonReport));
        else
            await output.WriteAsync(Text(report));
        return report.Errors == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    // The recovery target indexes that walreceiver pitr reads: missing ones are made from the WAL just verified, and the
    // others are checked against it.
    private static ArchiveVerificationReport WithIndexes(string directory, ArchiveVerificationReport report)
    {
        var damaged = report.Findings.Where(f => f.Severity == ArchiveFindingSeverity.Error).Select(f => f.File).ToHashSet(StringComparer.Ordinal);
        var (written, checkedCount, findings) = ArchiveIndexer.Index(directory, damaged, FileSync.Disk);
        findings.Add(new ArchiveFinding(ArchiveFindingSeverity.Info, RecoveryTargetIndexStore.DirectoryName, null,
            string.Create(CultureInfo.InvariantCulture, $"recovery target indexes: {written} written from the WAL, {checkedCount} checked against it")));
        return new ArchiveVerificationReport
        {
            Findings = [.. report.Findings.Concat(findings).OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Lsn?.Value ?? 0)],
            Files = report.Files,
            Bytes = report.Bytes,
            RecordsChecked = report.RecordsChecked,
            Elapsed = report.Elapsed,
        };
    }

    /// <summary>One line per finding, then the summary.</summary>
    public static string Text(ArchiveVerificationReport report)
    {
        var lines = report.Findings.Select(f => f.ToString()).Append(Summary(report));
        return string.Concat(lines.Select(l => l + "\n"));
    }

    private static string Summary(ArchiveVerificationReport r)
    {
        var seconds = Math.Max(r.Elapsed.TotalSeconds, 1e-6);
        return string.Create(CultureInfo.InvariantCulture,
            $"verified {r.Files} files, {r.Bytes} bytes of WAL, {r.RecordsChecked} records checked in {r.Elapsed.TotalSeconds:F2} s " +
            $"({r.Bytes / seconds / 1e6:F0} MB/s): {r.Errors} errors, {r.Warnings} warnings");
    }

    private static VerifyJsonReport ToJson(string? directory, string? target, ArchiveVerificationReport r) => new(
        directory, target, r.Files, r.Bytes, r.RecordsChecked, r.Errors, r.Warnings, r.Elapsed.TotalSeconds,
        [.. r.Findings.Select(f => new VerifyJsonFinding(f.Severity.ToString().ToLowerInvariant(), f.File, f.Lsn?.ToString(), f.Message))]);

    private static string Message(Exception e, string directory) => e switch
    {
        DirectoryNotFoundException => e.Message,
        UnauthorizedAccessException => $"cannot read archive directory \"{directory}\": permission denied; run as the archive's owner or grant read access",
        _ => $"cannot read archive directory \"{directory}\": {e.Message}",
    };
}

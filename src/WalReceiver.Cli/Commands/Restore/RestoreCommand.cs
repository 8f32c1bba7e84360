using System.CommandLine;
using WalReceiver.Diagnostics;
using WalReceiver.ObjectStorage;
using WalReceiver.Storage;

namespace WalReceiver.Cli.Commands.Restore;

/// <summary>What <c>walreceiver restore</c> does: one file from the archive to recovery, and an exit code PostgreSQL understands.</summary>
internal static class RestoreCommand
{
    /// <summary>Runs the verb and returns the process exit code (see <see cref="RestoreExitCodes"/>).</summary>
    public static int Run(ParseResult p, TextWriter error)
    {
        var directory = p.GetValue(RestoreCommandDefinition.Directory);
        var target = p.GetValue(RestoreCommandDefinition.Target);
        if (CheckUsage(directory, target, p.GetResult(RestoreCommandDefinition.Prefetch) is { Implicit: false },
                p.GetValue(RestoreCommandDefinition.Prefetch), p.GetValue(RestoreCommandDefinition.Endpoint)) is { } usage)
        {
            error.WriteLine($"walreceiver: error: {usage}");
            error.WriteLine("walreceiver: hint: Try \"walreceiver restore --help\" for more information.");
            return RestoreExitCodes.Fatal;
        }

        using var stop = new StopSignals(gracePeriod: TimeSpan.FromSeconds(2));
        var fileName = p.GetValue(RestoreCommandDefinition.FileName)!;
        var destination = p.GetValue(RestoreCommandDefinition.Destination)!;
        var partial = p.GetValue(RestoreCommandDefinition.Partial);
        var verbose = p.GetValue(RestoreCommandDefinition.Verbose);
        var code = directory is not null
            ? Run(directory, fileName, destination, partial, verbose, FileSync.Disk, error, stop.Token)
            : Run(fileName, destination, verbose, error, () => BucketRestore.Restore(target!, p.GetValue(RestoreCommandDefinition.Endpoint),
                fileName, destination, partial, p.GetValue(RestoreCommandDefinition.Prefetch), FileSync.Disk,
                line => { if (verbose) error.WriteLine($"walreceiver: {line}"); }, stop.Token));
        // A signal ends the process as the signal would have (128 + its number), once the temporary file is gone:
        // PostgreSQL tells a shutdown's SIGTERM from other signals by that code.
        return stop.Received is { } signal ? 128 + signal : code;
    }

    /// <summary>The usage error of a restore command line that has no archive, or two; null when it has one.</summary>
    internal static string? CheckUsage(string? directory, string? target, bool prefetchGiven, int prefetch, string? endpoint)
    {
        if (directory is not null && target is not null)
            return "give the archive once: -D DIR (a directory) or --target s3://BUCKET/PREFIX (a bucket), not both";
        if (directory is null && target is null)
            return "no archive to restore from: give -D DIR (a directory) or --target s3://BUCKET/PREFIX (a bucket)";
        if (directory is not null && (prefetchGiven || endpoint is not null))
            return $"{(prefetchGiven ? "--prefetch" : "--endpoint")} only applies to a bucket (--target), not to -D";
        if (prefetch < 0)
            return $"--prefetch must be 0 (off) or more, not {prefetch}";
        return null;
    }

    /// <summary>
    /// Restores one file from the archive directory and reports it; every failure becomes <see cref="RestoreExitCodes.Fatal"/>
    /// with one line on stderr.
    /// </summary>
    internal static int Run(string archive, string fileName, string destination, bool partial, bool verbose, FileSync sync,
        TextWriter error, CancellationToken cancellationToken) =>
        Run(fileName, destination, verbose, error, () => ArchiveRestore.Restore(archive, fileName, destination, partial, sync, cancellationToken));

    /// <summary>Runs <paramref name="restore"/> and reports it; every failure becomes <see cref="RestoreExitCodes.Fatal"/> with one line on stderr.</summary>
    private static int Run(string fileName, string destination, bool verbose, TextWriter error, Func<RestoreResult> restore)
    {
        try
        {
            var result = restore();
            if (result.Restored)
            {
                if (verbose)
                    error.WriteLine($"walreceiver: restored \"{fileName}\" from \"{result.RestoredFrom}\" ({result.Bytes} bytes)");
                return RestoreExitCodes.Restored;
            }

            // Recovery asks for files past the end of the archive as a matter of course: no noise, except when WAL exists
            // that is not being served, which an operator after a failover needs to know.
            if (result.UnservedPartial is { } unserved)
                error.WriteLine($"walreceiver: \"{fileName}\" is not in the archive; \"{unserved}\" is, but only --partial serves it");
            else if (verbose)
                error.WriteLine($"walreceiver: \"{fileName}\" is not in the archive");
            return RestoreExitCodes.NotInArchive;
        }
        catch (WalReceiverException e)
        {
            error.WriteLine($"walreceiver: error: {e.Message}");
            return RestoreExitCodes.Fatal;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine($"walreceiver: restore of \"{fileName}\" stopped by a signal; nothing was written to \"{destination}\"");
            return RestoreExitCodes.Fatal;
        }
    }
}

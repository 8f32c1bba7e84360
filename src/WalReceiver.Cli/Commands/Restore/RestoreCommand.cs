using System.CommandLine;
using WalReceiver.Diagnostics;
using WalReceiver.Storage;

namespace WalReceiver.Cli.Commands.Restore;

/// <summary>What <c>walreceiver restore</c> does: one file from the archive to recovery, and an exit code PostgreSQL understands.</summary>
internal static class RestoreCommand
{
    /// <summary>Runs the verb and returns the process exit code (see <see cref="RestoreExitCodes"/>).</summary>
    public static int Run(ParseResult p, TextWriter error)
    {
        using var stop = new StopSignals(gracePeriod: TimeSpan.FromSeconds(2));
        var code = Run(p.GetValue(RestoreCommandDefinition.Directory)!, p.GetValue(RestoreCommandDefinition.FileName)!,
            p.GetValue(RestoreCommandDefinition.Destination)!, p.GetValue(RestoreCommandDefinition.Partial),
            p.GetValue(RestoreCommandDefinition.Verbose), FileSync.Disk, error, stop.Token);
        // A signal ends the process as the signal would have (128 + its number), once the temporary file is gone:
        // PostgreSQL tells a shutdown's SIGTERM from other signals by that code.
        return stop.Received is { } signal ? 128 + signal : code;
    }

    /// <summary>Restores one file and reports it; every failure becomes <see cref="RestoreExitCodes.Fatal"/> with one line on stderr.</summary>
    internal static int Run(string archive, string fileName, string destination, bool partial, bool verbose, FileSync sync,
        TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            var result = ArchiveRestore.Restore(archive, fileName, destination, partial, sync, cancellationToken);
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

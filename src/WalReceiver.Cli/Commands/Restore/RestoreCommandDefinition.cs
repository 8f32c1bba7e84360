using System.CommandLine;

namespace WalReceiver.Cli.Commands.Restore;

/// <summary>
/// The syntax of <c>walreceiver restore {-D DIR | --target s3://BUCKET/PREFIX} [--partial] %f %p</c>, the program
/// <c>restore_command</c> runs.
/// </summary>
internal static class RestoreCommandDefinition
{
    /// <summary>The verb's name; its usage errors exit <see cref="RestoreExitCodes.Fatal"/>, not 2.</summary>
    public const string Name = "restore";

    /// <summary>How many segments a bucket restore fetches ahead unless told otherwise.</summary>
    public const int DefaultPrefetch = 8;

    public static readonly Option<string> Directory = new("--directory", "-D")
    {
        Description = "the archive directory to restore from (or --target)",
        HelpName = "DIR",
    };

    public static readonly Option<string> Target = new("--target")
    {
        Description = "the bucket to restore from, as receive --target uploads to it (or -D)",
        HelpName = "s3://BUCKET/PREFIX",
    };

    public static readonly Option<string> Endpoint = BucketOptions.CreateEndpoint();

    public static readonly Option<int> Prefetch = new("--prefetch")
    {
        Description = "with --target: also fetch the next N segments into pg_wal/.walreceiver-prefetch for the next restores (0: off)",
        HelpName = "N",
        DefaultValueFactory = _ => DefaultPrefetch,
    };

    public static readonly Option<bool> Partial = new("--partial")
    {
        Description = "when no complete segment exists, serve its .partial padded with zeros (the newest WAL, for a failover)",
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "say which file was served, or that none was" };

    public static readonly Argument<string> FileName = new("FILE") { Description = "the file recovery asks for (%f)" };

    public static readonly Argument<string> Destination = new("PATH")
    {
        Description = "where to write it (%p; relative paths are relative to the current directory, the server's data directory)",
    };

    /// <summary>Assembles the command.</summary>
    public static Command Create()
    {
        var command = new Command(Name,
            "Copy a WAL segment, timeline history or backup history file from the archive (-D) or the bucket (--target) to PATH, for restore_command: " +
            "exit 0 restored, 1 not in the archive, 255 any error (recovery stops).");
        command.Options.Add(Directory);
        command.Options.Add(Target);
        command.Options.Add(Endpoint);
        command.Options.Add(Prefetch);
        command.Options.Add(Partial);
        command.Options.Add(Verbose);
        command.Arguments.Add(FileName);
        command.Arguments.Add(Destination);
        command.SetAction(parse => RestoreCommand.Run(parse, parse.InvocationConfiguration.Error));
        return command;
    }
}

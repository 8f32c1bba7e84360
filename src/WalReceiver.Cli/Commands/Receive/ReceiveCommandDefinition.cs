using System.CommandLine;

namespace WalReceiver.Cli.Commands.Receive;

/// <summary>The syntax of <c>walreceiver receive</c>: pg_receivewal's options, with its names and meanings.</summary>
internal static class ReceiveCommandDefinition
{
    public static readonly Option<string?> Directory = new("--directory", "-D") { Description = "receive write-ahead log files into this directory", HelpName = "DIR" };
    public static readonly Option<string?> EndPosition = new("--endpos", "-E") { Description = "exit after receiving the specified LSN", HelpName = "LSN" };
    public static readonly Option<bool> IfNotExists = new("--if-not-exists") { Description = "do not error if slot already exists when creating a slot" };
    public static readonly Option<bool> NoLoop = new("--no-loop", "-n") { Description = "do not loop on connection lost" };
    public static readonly Option<bool> NoSync = new("--no-sync") { Description = "do not wait for changes to be written safely to disk" };
    public static readonly Option<int> StatusInterval = new("--status-interval", "-s")
    {
        Description = "time between status packets sent to server (default: 10)",
        HelpName = "SECS",
        DefaultValueFactory = _ => 10,
    };

    public static readonly Option<int> ReceiveTimeout = new("--receive-timeout")
    {
        Description = "seconds without any message from the server before reconnecting, as wal_receiver_timeout (default: 60; 0 waits forever)",
        HelpName = "SECS",
        DefaultValueFactory = _ => 60,
    };

    public static readonly Option<string?> Slot = new("--slot", "-S") { Description = "replication slot to use", HelpName = "SLOTNAME" };
    public static readonly Option<bool> Synchronous = new("--synchronous") { Description = "flush write-ahead log immediately after writing" };
    public static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "output verbose messages" };
    public static readonly Option<string?> Compress = new("--compress", "-Z")
    {
        Description = "compress as specified: none, gzip[:LEVEL], lz4[:LEVEL], zstd[:LEVEL], or a gzip level",
        HelpName = "METHOD[:DETAIL]",
    };

    public static readonly Option<bool> NoVerify = new("--no-verify") { Description = "do not check page headers and record CRCs as WAL arrives" };

    public static readonly Option<string> Target = new("--target")
    {
        Description = "also upload each completed file to this bucket, s3://BUCKET/PREFIX (after it is complete and fsynced in -D)",
        HelpName = "URL",
    };

    public static readonly Option<string> Endpoint = BucketOptions.CreateEndpoint();

    public static readonly Option<string> Durability = new Option<string>("--durability")
    {
        Description = "what the flush position reported to the server means: local (fsynced in -D) or uploaded (in the --target bucket too; the slot keeps WAL until then)",
        HelpName = "MODE",
        DefaultValueFactory = _ => "local",
    }.AcceptOnlyFromAmong("local", "uploaded");

    public static readonly Option<int?> KeepLocal = new("--keep-local")
    {
        Description = "with --target: keep the newest N complete segments in -D and remove older ones once they are in the bucket (default: keep all)",
        HelpName = "N",
    };

    public static readonly Option<bool> Trace = new("--trace")
    {
        Description = "print one line per replication message: XLogData, keepalives, and each status update sent, with why",
    };
    public static readonly Option<string?> DbName = new("--dbname", "-d") { Description = "connection string", HelpName = "CONNSTR" };
    public static readonly Option<string?> Host = new("--host", "-h") { Description = "database server host or socket directory", HelpName = "HOSTNAME" };
    public static readonly Option<string?> Port = new("--port", "-p") { Description = "database server port number", HelpName = "PORT" };
    public static readonly Option<string?> UserName = new("--username", "-U") { Description = "connect as specified database user", HelpName = "NAME" };
    public static readonly Option<bool> NoPassword = new("--no-password", "-w") { Description = "never prompt for password" };
    public static readonly Option<bool> Password = new("--password", "-W") { Description = "force password prompt (should happen automatically)" };
    public static readonly Option<bool> CreateSlot = new("--create-slot") { Description = "create a new replication slot (for the slot's name see --slot)" };
    public static readonly Option<bool> DropSlot = new("--drop-slot") { Description = "drop the replication slot (for the slot's name see --slot)" };

    /// <summary>What to stream and how, in pg_receivewal's order (its help lists them under "Options").</summary>
    public static readonly Option[] StreamingOptions = [Directory, EndPosition, IfNotExists, NoLoop, NoSync, StatusInterval, ReceiveTimeout, Slot, Synchronous, Verbose, Compress, NoVerify, Trace, Target, Endpoint, Durability, KeepLocal];

    /// <summary>Where and as whom to connect.</summary>
    public static readonly Option[] ConnectionOptions = [DbName, Host, Port, UserName, NoPassword, Password];

    /// <summary>Slot actions that run instead of streaming.</summary>
    public static readonly Option[] SlotActions = [CreateSlot, DropSlot];

    /// <summary>Every option of the verb.</summary>
    public static IEnumerable<Option> AllOptions => StreamingOptions.Concat(ConnectionOptions).Concat(SlotActions);

    /// <summary>Assembles the command.</summary>
    public static Command Create()
    {
        var command = new Command("receive", "Receive PostgreSQL streaming write-ahead logs into segment files, as pg_receivewal does.");
        foreach (var o in AllOptions)
            command.Options.Add(o);
        // pg_receivewal takes -V/--version; so does the verb that stands in for it (and the root command).
        command.Options.Add(new VersionOption("--version", "-V"));
        command.SetAction((parse, cancellationToken) =>
            ReceiveCommand.RunAsync(ReceiveArguments.From(parse), ProgramPersona.Walreceiver, parse.InvocationConfiguration.Error, cancellationToken));
        return command;
    }
}

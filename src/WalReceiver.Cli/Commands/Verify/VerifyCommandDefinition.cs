using System.CommandLine;

namespace WalReceiver.Cli.Commands.Verify;

/// <summary>The syntax of <c>walreceiver verify</c>: check an archive directory, or a bucket prefix, offline.</summary>
internal static class VerifyCommandDefinition
{
    public static readonly Option<string> Directory = new("--directory", "-D")
    {
        Description = "the archive directory to check",
        HelpName = "DIR",
    };

    public static readonly Option<string> Target = new("--target")
    {
        Description = "check the archive uploaded to this bucket prefix instead, s3://BUCKET/PREFIX (objects are streamed, not copied to disk)",
        HelpName = "URL",
    };

    public static readonly Option<string> Endpoint = new("--endpoint")
    {
        Description = "with --target: the S3 endpoint of a non-AWS server (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS)",
        HelpName = "URL",
    };

    public static readonly Option<bool> Json = new("--json") { Description = "print one JSON document for scripts" };

    /// <summary>Assembles the command.</summary>
    public static Command Create()
    {
        var command = new Command("verify",
            "Check an archive (-D) or its copy in a bucket (--target): gaps, timeline switches, page headers and record CRCs, manifest hashes " +
            "(the objects' sha256 metadata), leftover .partial files, files of another cluster. Exit 0 when there is no error, 1 when there is.");
        command.Options.Add(Directory);
        command.Options.Add(Target);
        command.Options.Add(Endpoint);
        command.Options.Add(Json);
        // Exactly one archive: a parse error like a missing required option, so it gets the same message, hint and exit 2.
        command.Validators.Add(result =>
        {
            var directory = result.GetResult(Directory) is not null;
            var target = result.GetResult(Target) is not null;
            if (directory == target)
                result.AddError(directory ? "cannot use --directory (-D) together with --target: verify one archive at a time" : "no archive given: pass -D DIR or --target s3://BUCKET/PREFIX");
            else if (result.GetResult(Endpoint) is not null && !target)
                result.AddError("--endpoint is for --target: a directory needs no endpoint");
        });
        command.SetAction((parse, ct) => VerifyCommand.RunAsync(parse, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct));
        return command;
    }
}

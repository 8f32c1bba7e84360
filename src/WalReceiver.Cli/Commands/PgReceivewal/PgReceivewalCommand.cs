using System.CommandLine;
using System.Reflection;

namespace WalReceiver.Cli.Commands.PgReceivewal;

/// <summary>
/// The program started through a symlink named <c>pg_receivewal</c>: <c>walreceiver receive</c> speaking as
/// pg_receivewal (its name in every message, its <c>--help</c> layout and <c>--version</c> form), with WalReceiver's exit codes.
/// </summary>
internal static class PgReceivewalCommand
{
    /// <summary>The argv[0] file name that selects this persona.</summary>
    public const string Name = "pg_receivewal";

    /// <summary><c>pg_receivewal (WalReceiver) 0.1.0</c>: PostgreSQL's tools print <c>name (product) version</c>.</summary>
    public static string VersionLine
    {
        get
        {
            var version = typeof(PgReceivewalCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
            var plus = version.IndexOf('+', StringComparison.Ordinal); // drop the commit hash the SDK appends
            return $"{Name} (WalReceiver) {(plus < 0 ? version : version[..plus])}";
        }
    }

    /// <summary>Parses and runs <paramref name="args"/>; usage errors print one error and the hint, and return <see cref="ExitCodes.Usage"/>.</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error)
    {
        switch (args)
        {
            case ["--help" or "-?", ..]:
                PgReceivewalHelp.Write(output);
                return ExitCodes.Success;
            case ["--version" or "-V", ..]:
                await output.WriteLineAsync(VersionLine);
                return ExitCodes.Success;
        }

        var persona = ProgramPersona.PgReceivewal;
        var parse = PgReceivewalCommandDefinition.Create().Parse(args, PgReceivewalCommandDefinition.ParserConfiguration);
        if (parse.Errors.Count > 0)
        {
            // Like getopt, stop at the first problem.
            await error.WriteLineAsync(persona.Error(FirstError(parse)));
            await error.WriteLineAsync(persona.Hint);
            return ExitCodes.Usage;
        }

        // receive owns SIGINT and SIGTERM (StopSignals) and needs time for a last fsync: no forced exit.
        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null });
    }

    /// <summary>The first parse error, worded as pg_receivewal words an unknown option or a stray argument.</summary>
    internal static string FirstError(ParseResult parse)
    {
        if (parse.UnmatchedTokens is [var token, ..])
        {
            return token.StartsWith('-') && token.Length > 1
                ? $"unrecognized option '{token}'"
                : $"too many command-line arguments (first is \"{token}\")";
        }

        return parse.Errors[0].Message;
    }
}

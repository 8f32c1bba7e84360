namespace WalReceiver.Cli.Commands.Restore;

/// <summary>
/// Exit codes of <c>walreceiver restore</c>, chosen for how PostgreSQL reads a <c>restore_command</c>'s status: 0 is "here
/// is the file"; any other code up to 125 is "the archive does not have it", which ends recovery (normally: it asks for
/// files past the end, and for history files of timelines that never existed); a code above 125, or death by a signal,
/// makes recovery stop with a FATAL error.
/// </summary>
internal static class RestoreExitCodes
{
    /// <summary>The file was written to the destination.</summary>
    public const int Restored = 0;

    /// <summary>The archive does not have the file: recovery ends here (or, on a standby, tries again later).</summary>
    public const int NotInArchive = 1;

    /// <summary>
    /// Anything else: a damaged or unreadable archive file, a failed write, a bad file name, a missing archive directory, a
    /// wrong command line. Recovery must stop rather than end early and promote without WAL the archive holds.
    /// </summary>
    /// <remarks>
    /// Above 125 so that PostgreSQL treats it as fatal. Not 126 or 127: shells return those when a command cannot be
    /// executed or found, and PostgreSQL's log says so ("command not executable"), which would send the operator looking
    /// at the wrong problem. Not 128 + a signal number (up to 192): shells report a child killed by a signal that way,
    /// and 143 (SIGTERM) even makes PostgreSQL exit quietly as if asked to shut down. 255 is none of these.
    /// </remarks>
    public const int Fatal = 255;
}

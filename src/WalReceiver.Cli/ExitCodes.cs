namespace WalReceiver.Cli;

/// <summary>Process exit codes; the same numbers as <see cref="Diagnostics.FailureKind"/>.</summary>
internal static class ExitCodes
{
    /// <summary>Stopped as asked.</summary>
    public const int Success = 0;

    /// <summary>A failure a retry might fix, with -n.</summary>
    public const int Failure = 1;

    /// <summary>Bad command line.</summary>
    public const int Usage = 2;

    /// <summary>Configuration the user must fix.</summary>
    public const int Configuration = 3;

    /// <summary>The archive would be damaged or mixed.</summary>
    public const int ArchiveDamage = 4;
}

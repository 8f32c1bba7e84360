using WalReceiver.Diagnostics;

namespace WalReceiver.Cli;

/// <summary>Process exit codes (the README's table), and the one mapping from a failure's kind to its code.</summary>
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

    /// <summary>The exit code of a run that ended with <paramref name="kind"/>.</summary>
    public static int For(FailureKind kind) => kind switch
    {
        FailureKind.None => Success,
        FailureKind.Transient => Failure,
        FailureKind.Usage => Usage,
        FailureKind.Configuration => Configuration,
        FailureKind.ArchiveDamage => ArchiveDamage,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no exit code for this failure kind"),
    };
}

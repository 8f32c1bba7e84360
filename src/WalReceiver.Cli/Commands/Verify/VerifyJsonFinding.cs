namespace WalReceiver.Cli.Commands.Verify;

/// <summary>One finding in <see cref="VerifyJsonReport"/>.</summary>
/// <param name="Severity"><c>error</c>, <c>warning</c> or <c>info</c>.</param>
/// <param name="File">The file it concerns.</param>
/// <param name="Lsn">Where in the WAL (<c>X/Y</c>), or null for the whole file.</param>
/// <param name="Message">What was found.</param>
internal sealed record VerifyJsonFinding(string Severity, string File, string? Lsn, string Message);

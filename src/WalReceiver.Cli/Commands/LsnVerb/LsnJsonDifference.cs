namespace WalReceiver.Cli.Commands.LsnVerb;

/// <summary><c>lsn A B --json</c>: <c>pg_wal_lsn_diff(A, B)</c>.</summary>
/// <param name="Lsn1">A.</param>
/// <param name="Lsn2">B.</param>
/// <param name="Bytes">A minus B, in bytes (negative when B is after A).</param>
internal sealed record LsnJsonDifference(string Lsn1, string Lsn2, decimal Bytes);

namespace WalReceiver.Cli.Commands.Verify;

/// <summary>The JSON document of <c>walreceiver verify --json</c>: the text output's content.</summary>
/// <param name="Directory">The archive directory checked (-D), or null.</param>
/// <param name="Target">The bucket prefix checked (--target, <c>s3://BUCKET/PREFIX</c>), or null.</param>
/// <param name="Files">WAL files read.</param>
/// <param name="Bytes">WAL bytes (decompressed) checked.</param>
/// <param name="RecordsChecked">Records whose CRC was right.</param>
/// <param name="Errors">The number of errors.</param>
/// <param name="Warnings">The number of warnings.</param>
/// <param name="Seconds">How long it took.</param>
/// <param name="Findings">Every finding, by file, then LSN.</param>
internal sealed record VerifyJsonReport(string? Directory, string? Target, int Files, long Bytes, long RecordsChecked, int Errors, int Warnings, double Seconds,
    IReadOnlyList<VerifyJsonFinding> Findings);

namespace WalReceiver.Cli.Commands.Inspect;

/// <summary><c>inspect --json</c>: every file inspected.</summary>
/// <param name="Files">In name order.</param>
/// <param name="BadRecords">Records whose CRC did not match.</param>
internal sealed record InspectJson(IReadOnlyList<InspectJsonFile> Files, int BadRecords);

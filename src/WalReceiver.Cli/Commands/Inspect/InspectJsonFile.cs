namespace WalReceiver.Cli.Commands.Inspect;

/// <summary>One file in <c>inspect --json</c>.</summary>
/// <param name="File">The file's name.</param>
/// <param name="SegmentSize">The segment size its long page header states, or null.</param>
/// <param name="Pages">Its page headers (empty with <c>--records</c>).</param>
/// <param name="Records">The records that start in it.</param>
/// <param name="End">Why the listing stopped before the end of the segment, if it did.</param>
internal sealed record InspectJsonFile(string File, int? SegmentSize, IReadOnlyList<InspectJsonPage> Pages, IReadOnlyList<InspectJsonRecord> Records, string? End);

using System.Text.Json.Serialization;

namespace WalReceiver.Cli.Commands.Inspect;

/// <summary>
/// Source-generated serialization for <c>inspect --json</c>, one page or record at a time (the document around them is
/// written by hand, so no string holds a whole segment's listing): no reflection, so it works trimmed and AOT-compiled.
/// The document: <c>{"files": [{"file", "segmentSize", "end", "pages": [...], "records": [...]}], "badRecords"}</c>.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(InspectJsonPage))]
[JsonSerializable(typeof(InspectJsonRecord))]
internal sealed partial class InspectJsonContext : JsonSerializerContext;

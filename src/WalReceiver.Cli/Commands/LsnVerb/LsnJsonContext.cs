using System.Text.Json.Serialization;

namespace WalReceiver.Cli.Commands.LsnVerb;

/// <summary>Source-generated serialization for <c>lsn --json</c>: no reflection, so it works trimmed and AOT-compiled.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(LsnJsonLocation))]
[JsonSerializable(typeof(LsnJsonFile))]
[JsonSerializable(typeof(LsnJsonDifference))]
internal sealed partial class LsnJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace WalReceiver.Cli.Commands.Inspect;

/// <summary>Source-generated serialization for <c>inspect --json</c>: no reflection, so it works trimmed and AOT-compiled.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(InspectJson))]
internal sealed partial class InspectJsonContext : JsonSerializerContext;

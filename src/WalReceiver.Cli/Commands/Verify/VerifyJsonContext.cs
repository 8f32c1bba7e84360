using System.Text.Json.Serialization;

namespace WalReceiver.Cli.Commands.Verify;

/// <summary>Source-generated serialization for <c>verify --json</c>: no reflection, so it works trimmed and AOT-compiled.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(VerifyJsonReport))]
internal sealed partial class VerifyJsonContext : JsonSerializerContext;

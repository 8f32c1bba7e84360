namespace WalReceiver.Cli.Commands.Status;

/// <summary>One server to ask, and what to look for there.</summary>
internal sealed record StatusTarget(string? Source, string ConnectionString, string? Slot, string? ApplicationName, string? Directory);

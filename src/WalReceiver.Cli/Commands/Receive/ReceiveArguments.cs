using System.CommandLine;

namespace WalReceiver.Cli.Commands.Receive;

/// <summary>The parsed command line of <c>receive</c>, before any checking.</summary>
internal sealed record ReceiveArguments(
    string? Directory,
    string? EndPosition,
    bool IfNotExists,
    bool NoLoop,
    bool NoSync,
    int StatusInterval,
    string? Slot,
    bool Synchronous,
    bool Verbose,
    string? Compress,
    string? DbName,
    string? Host,
    string? Port,
    string? UserName,
    bool NoPassword,
    bool Password,
    bool CreateSlot,
    bool DropSlot,
    int ReceiveTimeout = 60,
    bool NoVerify = false,
    bool Trace = false,
    string? Target = null,
    string? Endpoint = null,
    string? Durability = null,
    int? KeepLocal = null)
{
    /// <summary>Reads the values out of a parse result.</summary>
    public static ReceiveArguments From(ParseResult p) => new(
        p.GetValue(ReceiveCommandDefinition.Directory),
        p.GetValue(ReceiveCommandDefinition.EndPosition),
        p.GetValue(ReceiveCommandDefinition.IfNotExists),
        p.GetValue(ReceiveCommandDefinition.NoLoop),
        p.GetValue(ReceiveCommandDefinition.NoSync),
        p.GetValue(ReceiveCommandDefinition.StatusInterval),
        p.GetValue(ReceiveCommandDefinition.Slot),
        p.GetValue(ReceiveCommandDefinition.Synchronous),
        p.GetValue(ReceiveCommandDefinition.Verbose),
        p.GetValue(ReceiveCommandDefinition.Compress),
        p.GetValue(ReceiveCommandDefinition.DbName),
        p.GetValue(ReceiveCommandDefinition.Host),
        p.GetValue(ReceiveCommandDefinition.Port),
        p.GetValue(ReceiveCommandDefinition.UserName),
        p.GetValue(ReceiveCommandDefinition.NoPassword),
        p.GetValue(ReceiveCommandDefinition.Password),
        p.GetValue(ReceiveCommandDefinition.CreateSlot),
        p.GetValue(ReceiveCommandDefinition.DropSlot),
        p.GetValue(ReceiveCommandDefinition.ReceiveTimeout),
        p.GetValue(ReceiveCommandDefinition.NoVerify),
        p.GetValue(ReceiveCommandDefinition.Trace),
        p.GetValue(ReceiveCommandDefinition.Target),
        p.GetValue(ReceiveCommandDefinition.Endpoint),
        p.GetValue(ReceiveCommandDefinition.Durability),
        p.GetValue(ReceiveCommandDefinition.KeepLocal));
}

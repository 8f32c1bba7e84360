namespace WalReceiver.Cli;

/// <summary>
/// The name the receive verb speaks under: <c>walreceiver</c>, or <c>pg_receivewal</c> when started through a symlink of
/// that name, so that scripts and tests written for PostgreSQL's tool read the messages they expect. Only wording
/// changes with the persona; exit codes stay WalReceiver's.
/// </summary>
/// <param name="Name">The program name that starts every message line.</param>
/// <param name="HelpCommand">The command the usage hint points to.</param>
/// <param name="ToolLogFormat">Log lines in PostgreSQL's client-tool form (<c>name: warning: text</c>) instead of timestamped ones.</param>
internal sealed record ProgramPersona(string Name, string HelpCommand, bool ToolLogFormat)
{
    /// <summary><c>walreceiver receive</c>.</summary>
    public static ProgramPersona Walreceiver { get; } = new("walreceiver", "walreceiver receive --help", ToolLogFormat: false);

    /// <summary>The executable started as <c>pg_receivewal</c>.</summary>
    public static ProgramPersona PgReceivewal { get; } = new("pg_receivewal", "pg_receivewal --help", ToolLogFormat: true);

    /// <summary>The usage hint that follows a usage error.</summary>
    public string Hint => $"{Name}: hint: Try \"{HelpCommand}\" for more information.";

    /// <summary>An error line: <c>name: error: message</c>.</summary>
    public string Error(string message) => $"{Name}: error: {message}";

    /// <summary>An informational line: <c>name: message</c>.</summary>
    public string Info(string message) => $"{Name}: {message}";
}

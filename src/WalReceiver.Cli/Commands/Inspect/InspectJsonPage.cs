namespace WalReceiver.Cli.Commands.Inspect;

/// <summary>A page header in <c>inspect --json</c>.</summary>
/// <param name="Lsn">The page's LSN.</param>
/// <param name="Magic"><c>xlp_magic</c>.</param>
/// <param name="Info"><c>xlp_info</c>.</param>
/// <param name="Timeline"><c>xlp_tli</c>.</param>
/// <param name="PageAddress"><c>xlp_pageaddr</c>.</param>
/// <param name="RemainingLength"><c>xlp_rem_len</c>: bytes of a record continued from the page before.</param>
internal sealed record InspectJsonPage(string Lsn, int Magic, int Info, uint Timeline, string PageAddress, uint RemainingLength);

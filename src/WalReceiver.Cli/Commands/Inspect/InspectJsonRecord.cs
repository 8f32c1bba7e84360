namespace WalReceiver.Cli.Commands.Inspect;

/// <summary>A record in <c>inspect --json</c>.</summary>
/// <param name="Lsn">Where it starts.</param>
/// <param name="TotalLength"><c>xl_tot_len</c>.</param>
/// <param name="Previous"><c>xl_prev</c>.</param>
/// <param name="ResourceManager">The resource manager's name, as pg_waldump prints it.</param>
/// <param name="Info"><c>xl_info</c>.</param>
/// <param name="Xid"><c>xl_xid</c>.</param>
/// <param name="Crc"><c>ok</c>, <c>bad</c>, or <c>unchecked</c> when the record is not whole in what was read.</param>
internal sealed record InspectJsonRecord(string Lsn, uint TotalLength, string Previous, string ResourceManager, int Info, uint Xid, string Crc);

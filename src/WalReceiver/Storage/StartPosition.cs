using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>Where a streaming attempt starts: always a segment start, on a timeline.</summary>
/// <param name="Lsn">The first byte to request (a segment start).</param>
/// <param name="Timeline">The timeline to request.</param>
/// <param name="Source">Why this position: read by logs and tests.</param>
internal sealed record StartPosition(Lsn Lsn, uint Timeline, StartSource Source);

namespace WalReceiver.Wal;

/// <summary>The first thing wrong in a WAL stream: where, and a sentence naming the field and the values.</summary>
/// <param name="Lsn">The page or record where the problem is (a record's start LSN for a bad record).</param>
/// <param name="Problem">What was wrong, e.g. <c>record CRC mismatch: computed 0x1A2B3C4D, xl_crc 0x00000000</c>.</param>
internal sealed record WalVerificationError(Lsn Lsn, string Problem)
{
    /// <summary><c>at LSN X/Y: problem</c>.</summary>
    public override string ToString() => $"at LSN {Lsn}: {Problem}";
}

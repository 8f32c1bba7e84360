using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Verification;

/// <summary>Finds, in intact WAL, the record a byte belongs to: with the verifier itself, so nothing is hard-coded.</summary>
internal static class RecordProbe
{
    /// <summary>
    /// The start of the record whose bytes (past xl_tot_len) hold offset <paramref name="at"/> of <paramref name="bytes"/>
    /// (which begin at a segment start), provided the record ends before <paramref name="endBy"/>; null when the byte is
    /// a page header, padding, a length field, or in a record that ends later. Fed up to and including the byte, the
    /// verifier leaves that byte's record incomplete; fed up to <paramref name="endBy"/>, it has finished it.
    /// </summary>
    public static Lsn? RecordHolding(Func<WalStreamVerifier> create, Lsn start, byte[] bytes, int at, int endBy, WalSegmentSize size)
    {
        var lsn = start + (ulong)at;
        var inPage = (int)(lsn.Value % 8192);
        if (inPage < (size.IsSegmentStart(new Lsn(lsn.Value - (ulong)inPage)) ? 40 : 24))
            return null;
        var probe = create();
        Assert.Null(probe.Append(start, bytes.AsSpan(0, at + 1)));
        var record = probe.VerifiedUpTo;
        if (record > lsn || Lsn.Diff(lsn, record) < 4)
            return null;
        Assert.Null(probe.Append(probe.Position, bytes.AsSpan(at + 1, endBy - at - 1)));
        return probe.VerifiedUpTo > record ? record : null;
    }
}

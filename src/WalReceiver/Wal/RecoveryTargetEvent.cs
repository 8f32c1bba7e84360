namespace WalReceiver.Wal;

/// <summary>
/// One WAL record a recovery target can name: a transaction's commit or abort (<c>recovery_target_xid</c>,
/// <c>recovery_target_time</c>) or a restore point (<c>recovery_target_name</c>). Recovery compares
/// <c>recovery_target_lsn</c> with a record's start, and needs the WAL up to its end to replay it: both are kept.
/// </summary>
/// <param name="Kind">What the record is.</param>
/// <param name="Start">The LSN of the record's first byte (the <c>lsn</c> pg_waldump prints).</param>
/// <param name="End">
/// The LSN just past the record's last byte, counting the page headers the record spans (<see cref="WalRecordEnd"/>).
/// Not <c>start + xl_tot_len</c>: that is short by every page header in between (24 bytes a page, 40 at a segment
/// start), so for a record that crosses a segment boundary it can name the wrong segment. Not rounded up to 8 either:
/// the next record's start (PostgreSQL's <c>EndRecPtr</c>) is this rounded up to MAXALIGN, and moved past a page header
/// when that lands on a page start, which is a fact about where the next record goes. The unaligned end is the
/// record's own, and <c>End - 1</c> is its last byte, in the last segment a recovery must have to replay it.
/// </param>
/// <param name="Time">
/// The commit or abort's <c>xact_time</c>, or the restore point's <c>rp_time</c>, in UTC, exact to the microsecond.
/// </param>
/// <param name="Xid">
/// The transaction the record ends: <c>xl_xid</c> for a commit or abort, the prepared transaction's xid for
/// <c>COMMIT PREPARED</c> and <c>ROLLBACK PREPARED</c> (as recovery compares <c>recovery_target_xid</c>), 0 for a restore point.
/// </param>
/// <param name="Name">The restore point's name; null for commits and aborts.</param>
internal readonly record struct RecoveryTargetEvent(RecoveryTargetKind Kind, Lsn Start, Lsn End, DateTimeOffset Time, uint Xid, string? Name)
{
    /// <summary>The segment that holds the record's last byte: the one whose index lists this event.</summary>
    public ulong EndSegment(WalSegmentSize segmentSize) => segmentSize.SegmentOf(new Lsn(End.Value - 1));
}

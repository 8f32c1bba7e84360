using System.Buffers.Binary;
using System.Text;

namespace WalReceiver.Wal;

/// <summary>
/// Finds, in one whole WAL record, what a recovery target can stop at: the commits and aborts recovery checks against
/// <c>recovery_target_xid</c> and <c>recovery_target_time</c>, and the restore points of <c>recovery_target_name</c>.
/// </summary>
/// <remarks>
/// <para>Every other record is "not an event" (null), told from the header's resource manager and info alone, without
/// reading its body; a record's CRC is the caller's to check first.</para>
/// <para>A commit, abort or restore point record that cannot be decoded is a <see cref="FormatException"/> naming the
/// record's LSN and what is wrong, never null: an index that quietly left out a commit would let a recovery plan stop
/// at the wrong transaction. Such a record with a right CRC means WAL of a format this code does not know, which must
/// be looked at, not skipped.</para>
/// </remarks>
internal static class RecoveryTargetDecoder
{
    private const byte XlogResourceManager = 0; // RM_XLOG_ID
    private const byte XactResourceManager = 1; // RM_XACT_ID
    private const byte RestorePoint = 0x70; // XLOG_RESTORE_POINT, in xl_info's resource manager bits (0xF0)

    private const byte XactOperationMask = 0x70; // XLOG_XACT_OPMASK
    private const byte XactCommit = 0x00; // XLOG_XACT_COMMIT
    private const byte XactAbort = 0x20; // XLOG_XACT_ABORT
    private const byte XactCommitPrepared = 0x30; // XLOG_XACT_COMMIT_PREPARED
    private const byte XactAbortPrepared = 0x40; // XLOG_XACT_ABORT_PREPARED
    private const byte XactHasInfo = 0x80; // XLOG_XACT_HAS_INFO: an xl_xact_xinfo follows xact_time

    // xl_xact_xinfo bits for the optional parts, which follow xact_time and xinfo in this order.
    private const uint HasDatabaseInfo = 1u << 0; // XACT_XINFO_HAS_DBINFO: xl_xact_dbinfo, two OIDs
    private const uint HasSubtransactions = 1u << 1; // XACT_XINFO_HAS_SUBXACTS: counted xids
    private const uint HasRelationFiles = 1u << 2; // XACT_XINFO_HAS_RELFILENODES: counted relation file nodes
    private const uint HasInvalidations = 1u << 3; // XACT_XINFO_HAS_INVALS: counted messages, commit records only
    private const uint HasTwoPhase = 1u << 4; // XACT_XINFO_HAS_TWOPHASE: xl_xact_twophase, the prepared xid
    private const uint HasDroppedStats = 1u << 8; // XACT_XINFO_HAS_DROPPED_STATS (15 on): counted stats items

    private const int DatabaseInfoSize = 8;
    private const int RelFileNodeSize = 12;
    private const int InvalidationMessageSize = 16; // sizeof(SharedInvalidationMessage)

    private const int RestorePointNameSize = 64; // MAXFNAMELEN: the name and its terminating NUL
    private const int RestorePointSize = 8 + RestorePointNameSize; // sizeof(xl_restore_point)

    /// <summary>
    /// Decodes <paramref name="record"/>, one whole record (header, fragment headers, data; <c>xl_tot_len</c> bytes)
    /// that starts at <paramref name="start"/> in WAL of <paramref name="segmentSize"/> and <paramref name="format"/>.
    /// Returns null for a record no recovery target names.
    /// </summary>
    /// <exception cref="FormatException">
    /// The bytes are not one whole record, or a commit, abort or restore point record is malformed.
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="start"/> is inside a page header, where no record starts.</exception>
    public static RecoveryTargetEvent? Decode(ReadOnlySpan<byte> record, Lsn start, WalSegmentSize segmentSize, WalRecordFormat format)
    {
        if (record.Length < WalStreamVerifier.RecordHeaderSize)
            throw new FormatException($"the record at {start} has {record.Length} bytes, fewer than a record header's {WalStreamVerifier.RecordHeaderSize}");
        var totalLength = BinaryPrimitives.ReadUInt32LittleEndian(record);
        if (totalLength != record.Length)
            throw new FormatException($"the record at {start} has xl_tot_len {totalLength}, but {record.Length} bytes were given");

        var info = record[16];
        var (kind, prepared) = Classify(record[17], info);
        if (kind == 0)
            return null;

        try
        {
            var mainData = WalRecordLayout.Read(record, format).MainData(record);
            var end = WalRecordEnd.Of(start, totalLength, segmentSize);
            if (kind == RecoveryTargetKind.RestorePoint)
            {
                var (time, name) = ReadRestorePoint(mainData);
                return new RecoveryTargetEvent(kind, start, end, time, 0, name);
            }

            var reader = new WalDataReader(mainData);
            var xactTime = ToTime(reader.ReadInt64("xact_time"));
            var xid = prepared
                ? ReadPreparedXid(ref reader, info, kind == RecoveryTargetKind.Commit, format)
                : BinaryPrimitives.ReadUInt32LittleEndian(record[4..]);
            return new RecoveryTargetEvent(kind, start, end, xactTime, xid, null);
        }
        catch (FormatException e)
        {
            var what = kind == RecoveryTargetKind.RestorePoint ? "XLOG_RESTORE_POINT" : $"transaction {kind.ToString().ToLowerInvariant()}";
            throw new FormatException($"the {what} record at {start}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Whether a record with resource manager <paramref name="resourceManager"/> (<c>xl_rmid</c>, header byte 17) and
    /// <paramref name="info"/> (<c>xl_info</c>, byte 16) is one <see cref="Decode"/> decodes: for it, Decode returns an
    /// event or throws; for any other, it returns null without reading the body. So a reader of a stream can tell from
    /// the first 18 bytes of a record's header whether the record is worth reassembling.
    /// </summary>
    public static bool IsEventRecord(byte resourceManager, byte info) => Classify(resourceManager, info).Kind != 0;

    // What a record is from its header alone: an event kind (0 for none), and whether it ends a prepared transaction.
    private static (RecoveryTargetKind Kind, bool Prepared) Classify(byte resourceManager, byte info) => resourceManager switch
    {
        XlogResourceManager when (info & 0xF0) == RestorePoint => (RecoveryTargetKind.RestorePoint, false),
        XactResourceManager => (info & XactOperationMask) switch
        {
            XactCommit => (RecoveryTargetKind.Commit, false),
            XactAbort => (RecoveryTargetKind.Abort, false),
            XactCommitPrepared => (RecoveryTargetKind.Commit, true),
            XactAbortPrepared => (RecoveryTargetKind.Abort, true),
            _ => ((RecoveryTargetKind)0, false),
        },
        _ => ((RecoveryTargetKind)0, false),
    };

    // xl_restore_point: rp_time, then rp_name, NUL-terminated within its 64 bytes.
    private static (DateTimeOffset Time, string Name) ReadRestorePoint(ReadOnlySpan<byte> mainData)
    {
        if (mainData.Length != RestorePointSize)
            throw new FormatException($"its main data has {mainData.Length} bytes, not the {RestorePointSize} of xl_restore_point");
        var time = ToTime(BinaryPrimitives.ReadInt64LittleEndian(mainData));
        var name = mainData[8..];
        var nul = name.IndexOf((byte)0);
        if (nul < 0)
            throw new FormatException($"rp_name has no terminating NUL within its {RestorePointNameSize} bytes");
        // The name is in the server's encoding, UTF-8 nearly always; bytes that are not UTF-8 become U+FFFD.
        return (time, Encoding.UTF8.GetString(name[..nul]));
    }

    // Walks a commit or abort record's optional parts, after xact_time, up to xl_xact_twophase. The order is that of the
    // server's ParseCommitRecord and ParseAbortRecord; abort records never carry invalidation messages.
    private static uint ReadPreparedXid(ref WalDataReader reader, byte info, bool commit, WalRecordFormat format)
    {
        if ((info & XactHasInfo) == 0)
            throw new FormatException("it has no xl_xact_xinfo, so no xl_xact_twophase with the prepared transaction's xid");
        var xinfo = reader.ReadUInt32("xl_xact_xinfo");
        if ((xinfo & HasTwoPhase) == 0)
            throw new FormatException($"its xinfo 0x{xinfo:X} lacks XACT_XINFO_HAS_TWOPHASE, so the prepared transaction's xid is not there");
        if ((xinfo & HasDatabaseInfo) != 0)
            reader.Take(DatabaseInfoSize, "xl_xact_dbinfo");
        if ((xinfo & HasSubtransactions) != 0)
            reader.SkipCounted(sizeof(uint), "subtransaction xids");
        if ((xinfo & HasRelationFiles) != 0)
            reader.SkipCounted(RelFileNodeSize, "relation file nodes");
        // Before 15 the bit meant nothing and the server's parser ignored it; so does this one.
        if ((xinfo & HasDroppedStats) != 0 && format.DroppedStatsItemSize > 0)
            reader.SkipCounted(format.DroppedStatsItemSize, "dropped statistics items");
        if (commit && (xinfo & HasInvalidations) != 0)
            reader.SkipCounted(InvalidationMessageSize, "invalidation messages");
        var xid = reader.ReadUInt32("xl_xact_twophase");
        if (xid == 0)
            throw new FormatException("xl_xact_twophase holds xid 0 (InvalidTransactionId)");
        return xid;
    }

    private static DateTimeOffset ToTime(long microseconds) => PostgresTimestamp.TryToDateTimeOffset(microseconds, out var time)
        ? time
        : throw new FormatException($"its timestamp ({microseconds} microseconds from 2000-01-01) is beyond the years 1 to 9999");
}

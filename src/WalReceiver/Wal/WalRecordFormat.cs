namespace WalReceiver.Wal;

/// <summary>
/// What differs, between the major versions this archiver reads (13 to 18), in the parts of a record that
/// <see cref="WalRecordLayout"/> and <see cref="RecoveryTargetDecoder"/> look at. The record header, the block
/// reference headers and the order of a commit record's optional parts are otherwise the same in all of them.
/// </summary>
/// <param name="MajorVersion">The server's major version, as its <c>XLOG_PAGE_MAGIC</c> tells it.</param>
internal readonly record struct WalRecordFormat(int MajorVersion)
{
    /// <summary>The format PostgreSQL 15 writes: the version this archiver is tested against.</summary>
    public static readonly WalRecordFormat PostgreSql15 = new(15);

    /// <summary>
    /// Whether <c>bimg_info</c> names the compression method (<c>BKPIMAGE_COMPRESS_PGLZ</c> 0x04, <c>_LZ4</c> 0x08,
    /// <c>_ZSTD</c> 0x10; from 15 on). Before 15 one bit, <c>BKPIMAGE_IS_COMPRESSED</c> 0x02, said "compressed" and 0x04
    /// was <c>BKPIMAGE_APPLY</c>; 15 moved <c>BKPIMAGE_APPLY</c> to 0x02. The bits decide whether a hole length follows.
    /// </summary>
    public bool HasCompressionMethodBits => MajorVersion >= 15;

    /// <summary>
    /// The size of one <c>xl_xact_stats_item</c> in a commit or abort record's dropped statistics (the part added in 15),
    /// or 0 before 15, whose parser knows no such part. 12 bytes (kind, database, object OID) until 17; 18 widened the
    /// object id to 64 bits in two 32-bit halves, 16 bytes.
    /// </summary>
    public int DroppedStatsItemSize => MajorVersion switch
    {
        < 15 => 0,
        < 18 => 12,
        _ => 16,
    };

    /// <summary>
    /// The format of WAL whose pages carry <paramref name="pageMagic"/> (<see cref="WalPageMagic"/>), or null for a magic
    /// of a version not known here: its records may be laid out in ways this code cannot know.
    /// </summary>
    public static WalRecordFormat? ForPageMagic(ushort pageMagic)
    {
        for (var major = 13; major <= 18; major++)
        {
            if (WalPageMagic.ForMajorVersion(major) == pageMagic)
                return new WalRecordFormat(major);
        }

        return null;
    }
}

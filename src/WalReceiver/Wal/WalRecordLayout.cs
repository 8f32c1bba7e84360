using System.Buffers.Binary;

namespace WalReceiver.Wal;

/// <summary>
/// Where the parts of one whole WAL record lie, found by walking its fragment headers the way the server's WAL reader
/// decodes a record: after the 24-byte <c>XLogRecord</c> header come headers, each starting with an id byte (block
/// references 0 to 32, a replication origin, a top-level xid, and last the main data's length in a short or a long
/// form), then the block images and block data in header order, and the main data at the very end.
/// </summary>
/// <param name="MainDataOffset">Where the main data (the resource manager's own struct) starts in the record.</param>
/// <param name="MainDataLength">Its length; 0 when the record has none.</param>
/// <param name="BlockReferences">How many block references the record has.</param>
/// <param name="Origin">The replication origin (<c>XLR_BLOCK_ID_ORIGIN</c>), or 0 (<c>InvalidRepOriginId</c>).</param>
/// <param name="TopLevelXid">The top-level xid (<c>XLR_BLOCK_ID_TOPLEVEL_XID</c>), or 0 (<c>InvalidTransactionId</c>).</param>
/// <remarks>
/// Only what decides where the data lies is checked: every header inside the record, block ids increasing and at most
/// <c>XLR_MAX_BLOCK_ID</c>, <c>BKPBLOCK_HAS_DATA</c> agreeing with the data length, <c>BKPBLOCK_SAME_REL</c> only after
/// a block that names its relation, and the lengths the headers announce adding up to exactly what follows them. The
/// server's checks of a full-page image's hole are left out: they concern the image, not where the data lies, and one
/// of them depends on the data block size, which a server can be built with another value of.
/// </remarks>
internal readonly record struct WalRecordLayout(int MainDataOffset, int MainDataLength, int BlockReferences, ushort Origin, uint TopLevelXid)
{
    /// <summary><c>XLR_MAX_BLOCK_ID</c>: the highest block reference id.</summary>
    public const int MaxBlockId = 32;

    /// <summary><c>XLR_BLOCK_ID_DATA_SHORT</c>: main data of less than 256 bytes, its length in one byte.</summary>
    public const byte DataShortId = 255;

    /// <summary><c>XLR_BLOCK_ID_DATA_LONG</c>: main data with a 4-byte length.</summary>
    public const byte DataLongId = 254;

    /// <summary><c>XLR_BLOCK_ID_ORIGIN</c>: a 2-byte replication origin follows.</summary>
    public const byte OriginId = 253;

    /// <summary><c>XLR_BLOCK_ID_TOPLEVEL_XID</c>: a 4-byte top-level xid follows (logical decoding of subtransactions).</summary>
    public const byte TopLevelXidId = 252;

    // fork_flags of XLogRecordBlockHeader: the fork number in the low nibble, these flags in the high one.
    private const byte HasImage = 0x10; // BKPBLOCK_HAS_IMAGE
    private const byte HasData = 0x20; // BKPBLOCK_HAS_DATA
    private const byte SameRelation = 0x80; // BKPBLOCK_SAME_REL

    // bimg_info of XLogRecordBlockImageHeader.
    private const byte ImageHasHole = 0x01; // BKPIMAGE_HAS_HOLE
    private const byte ImageCompressedBefore15 = 0x02; // BKPIMAGE_IS_COMPRESSED, 13 and 14
    private const byte ImageCompressionMethods = 0x04 | 0x08 | 0x10; // BKPIMAGE_COMPRESS_PGLZ, _LZ4, _ZSTD, from 15

    private const int RelFileNodeSize = 12; // three OIDs: tablespace, database, relation

    /// <summary>The main data of <paramref name="record"/>, the record this layout was read from.</summary>
    public ReadOnlySpan<byte> MainData(ReadOnlySpan<byte> record) => record.Slice(MainDataOffset, MainDataLength);

    /// <summary>
    /// Walks the headers of <paramref name="record"/>, one whole record whose <c>xl_tot_len</c> is its length; throws a
    /// <see cref="FormatException"/> saying what is wrong when the headers do not describe exactly the bytes there are.
    /// </summary>
    public static WalRecordLayout Read(ReadOnlySpan<byte> record, WalRecordFormat format)
    {
        if (record.Length < WalStreamVerifier.RecordHeaderSize)
            throw new FormatException($"{record.Length} bytes are too few for a record: its header alone has {WalStreamVerifier.RecordHeaderSize}");
        var totalLength = BinaryPrimitives.ReadUInt32LittleEndian(record);
        if (totalLength != record.Length)
            throw new FormatException($"xl_tot_len is {totalLength}, but the record has {record.Length} bytes");

        var reader = new WalDataReader(record[WalStreamVerifier.RecordHeaderSize..]);
        long payload = 0; // what the headers read so far announce after them: images, block data, main data
        long mainDataLength = 0;
        var blocks = 0;
        var lastBlockId = -1;
        var relationNamed = false;
        ushort origin = 0;
        uint topLevelXid = 0;
        // Headers go on until the bytes left are those announced; the main data's header, when there is one, is last.
        while (reader.Remaining > payload)
        {
            var id = reader.ReadByte("a block id");
            if (id is DataShortId or DataLongId)
            {
                mainDataLength = id == DataShortId ? reader.ReadByte("the main data length") : reader.ReadUInt32("the main data length");
                payload += mainDataLength;
                break;
            }

            if (id == OriginId)
            {
                origin = reader.ReadUInt16("the replication origin");
            }
            else if (id == TopLevelXidId)
            {
                topLevelXid = reader.ReadUInt32("the top-level xid");
            }
            else if (id <= MaxBlockId)
            {
                if (id <= lastBlockId)
                    throw new FormatException($"block reference {id} follows block reference {lastBlockId}: the ids must increase");
                lastBlockId = id;
                blocks++;
                payload += BlockReference(ref reader, id, format, ref relationNamed);
            }
            else
            {
                throw new FormatException($"invalid block id {id}");
            }
        }

        if (reader.Remaining != payload)
            throw new FormatException($"the headers announce {payload} bytes of images and data, but {reader.Remaining} bytes follow them");
        return new WalRecordLayout(record.Length - (int)mainDataLength, (int)mainDataLength, blocks, origin, topLevelXid);
    }

    // Reads an XLogRecordBlockHeader after its id, with the image header, relation and block number that may follow;
    // returns how many bytes of image and data the block has after the headers.
    private static long BlockReference(ref WalDataReader reader, byte id, WalRecordFormat format, ref bool relationNamed)
    {
        var forkFlags = reader.ReadByte($"the fork and flags of block reference {id}");
        var dataLength = reader.ReadUInt16($"the data length of block reference {id}");
        var hasData = (forkFlags & HasData) != 0;
        if (hasData != (dataLength != 0))
        {
            throw new FormatException(hasData
                ? $"block reference {id} has BKPBLOCK_HAS_DATA but a data length of 0"
                : $"block reference {id} has a data length of {dataLength} without BKPBLOCK_HAS_DATA");
        }

        long payload = dataLength;
        if ((forkFlags & HasImage) != 0)
        {
            payload += reader.ReadUInt16($"the image length of block reference {id}");
            reader.ReadUInt16($"the hole offset of block reference {id}");
            var imageInfo = reader.ReadByte($"the image flags of block reference {id}");
            var compressed = (imageInfo & (format.HasCompressionMethodBits ? ImageCompressionMethods : ImageCompressedBefore15)) != 0;
            // An uncompressed image's hole is the page size minus its length; a compressed one must say it.
            if (compressed && (imageInfo & ImageHasHole) != 0)
                reader.ReadUInt16($"the hole length of block reference {id}");
        }

        if ((forkFlags & SameRelation) == 0)
        {
            reader.Take(RelFileNodeSize, $"the relation of block reference {id}");
            relationNamed = true;
        }
        else if (!relationNamed)
        {
            throw new FormatException($"block reference {id} has BKPBLOCK_SAME_REL, but no block reference before it names a relation");
        }

        reader.ReadUInt32($"the block number of block reference {id}");
        return payload;
    }
}

using System.Buffers.Binary;
using System.Text;
using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// The file of a <see cref="RecoveryTargetIndex"/>: fixed-size entries, then the restore point names, then a CRC-32C
/// of everything before it, so that a torn or changed file is an error and never a list of wrong events. Only bytes
/// are made and read here; writing them durably (write, fsync, rename, fsync the directory) is the caller's.
/// </summary>
/// <remarks>
/// <para>All integers are little-endian. The file is <see cref="HeaderSize"/> + <see cref="EventSize"/> bytes per event +
/// (1 + the name's UTF-8 length) per restore point + <see cref="TrailerSize"/>: 36 bytes for a segment without events,
/// and 21 bytes per commit or abort.</para>
/// <code>
/// header   0  4  magic "WRRT"
///          4  2  version (1)
///          6  2  reserved, 0
///          8  4  timeline
///         12  4  segment size
///         16  8  segment start LSN
///         24  4  event count
///         28  4  bytes of names
/// event    0  1  kind: 1 commit, 2 abort, 3 restore point (RecoveryTargetKind)
///          1  4  end - segment start: where the record's last byte ends, 1 to the segment size
///          5  4  end - start: the record's bytes and the page headers inside it
///          9  8  time: TimestampTz, microseconds since 2000-01-01 00:00:00 UTC
///         17  4  xid (0 for a restore point)
/// names       per restore point, in event order: 1 byte length, then the name in UTF-8
/// trailer  0  4  CRC-32C (Castagnoli, as WAL records use) of all bytes before it
/// </code>
/// <para>LSNs are stored relative to the segment: an event's record ends in it, and no record is 4 GB long. Every
/// version of the format ends with the CRC of all bytes before it, so a reader can tell a damaged file from a newer one.</para>
/// </remarks>
internal static class RecoveryTargetIndexFile
{
    /// <summary>The bytes before the first event.</summary>
    public const int HeaderSize = 32;

    /// <summary>The bytes of one event, without its name.</summary>
    public const int EventSize = 21;

    /// <summary>The CRC at the end.</summary>
    public const int TrailerSize = 4;

    /// <summary>The version this code writes and reads.</summary>
    public const ushort Version = 1;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ReadOnlySpan<byte> Magic => "WRRT"u8;

    /// <summary>The file's bytes for <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentException">A restore point name is not valid UTF-16 (a lone surrogate), so it has no UTF-8 form.</exception>
    public static byte[] Encode(RecoveryTargetIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        var names = index.Events.Where(e => e.Name is not null).Select(e => StrictUtf8.GetBytes(e.Name!)).ToList();
        var nameBytes = names.Sum(n => 1 + n.Length);
        var file = new byte[HeaderSize + (EventSize * index.Events.Count) + nameBytes + TrailerSize];

        Magic.CopyTo(file);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(4), Version);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), index.Timeline);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(12), (uint)index.SegmentSize.Bytes);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(16), index.SegmentStart.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(24), (uint)index.Events.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(28), (uint)nameBytes);

        var entry = file.AsSpan(HeaderSize);
        foreach (var e in index.Events)
        {
            entry[0] = (byte)e.Kind;
            BinaryPrimitives.WriteUInt32LittleEndian(entry[1..], (uint)Lsn.Diff(e.End, index.SegmentStart));
            BinaryPrimitives.WriteUInt32LittleEndian(entry[5..], (uint)Lsn.Diff(e.End, e.Start));
            BinaryPrimitives.WriteInt64LittleEndian(entry[9..], PostgresTimestamp.FromDateTimeOffset(e.Time));
            BinaryPrimitives.WriteUInt32LittleEndian(entry[17..], e.Xid);
            entry = entry[EventSize..];
        }

        foreach (var name in names)
        {
            entry[0] = (byte)name.Length;
            name.CopyTo(entry[1..]);
            entry = entry[(1 + name.Length)..];
        }

        var crcAt = file.Length - TrailerSize;
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(crcAt), Crc32C.Compute(file.AsSpan(0, crcAt)));
        return file;
    }

    /// <summary>Writes the file's bytes for <paramref name="index"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, RecoveryTargetIndex index)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Encode(index));
    }

    /// <summary>Reads an index from the rest of <paramref name="stream"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a whole, undamaged index of a version this code reads.</exception>
    public static RecoveryTargetIndex Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return Decode(bytes.GetBuffer().AsSpan(0, (int)bytes.Length));
    }

    /// <summary>Reads an index from a file's bytes.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a whole, undamaged index of a version this code reads.</exception>
    public static RecoveryTargetIndex Decode(ReadOnlySpan<byte> file)
    {
        if (file.Length < HeaderSize + TrailerSize)
            throw Damaged($"it has {file.Length} bytes, fewer than the {HeaderSize + TrailerSize} of an index without events");
        if (!file.StartsWith(Magic))
            throw new InvalidDataException($"not a recovery target index: it does not start with \"{Encoding.ASCII.GetString(Magic)}\"");
        var crcAt = file.Length - TrailerSize;
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(file[crcAt..]);
        var computed = Crc32C.Compute(file[..crcAt]);
        if (stored != computed)
            throw Damaged($"its CRC-32C is 0x{stored:X8}, its bytes give 0x{computed:X8} (a torn write or changed bytes)");
        var version = BinaryPrimitives.ReadUInt16LittleEndian(file[4..]);
        if (version != Version)
            throw new InvalidDataException($"the recovery target index is of version {version}; this program reads version {Version}");

        var reserved = BinaryPrimitives.ReadUInt16LittleEndian(file[6..]);
        var timeline = BinaryPrimitives.ReadUInt32LittleEndian(file[8..]);
        var segmentBytes = BinaryPrimitives.ReadUInt32LittleEndian(file[12..]);
        var segmentStart = BinaryPrimitives.ReadUInt64LittleEndian(file[16..]);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(file[24..]);
        var nameBytes = BinaryPrimitives.ReadUInt32LittleEndian(file[28..]);
        if (reserved != 0 || timeline == 0 || !WalSegmentSize.IsValid(segmentBytes) || segmentStart % segmentBytes != 0)
            throw Damaged($"its header is impossible: reserved {reserved}, timeline {timeline}, segment size {segmentBytes}, segment start {new Lsn(segmentStart)}");
        if (HeaderSize + ((long)EventSize * count) + nameBytes + TrailerSize != file.Length)
            throw Damaged($"its header announces {count} events and {nameBytes} bytes of names, which do not make its {file.Length} bytes");

        var size = new WalSegmentSize((int)segmentBytes);
        var names = new WalDataReader(file.Slice(crcAt - (int)nameBytes, (int)nameBytes));
        var events = new List<RecoveryTargetEvent>((int)count);
        for (var i = 0; i < count; i++)
        {
            var entry = file.Slice(HeaderSize + (i * EventSize), EventSize);
            events.Add(ReadEvent(entry, i, segmentStart, segmentBytes, ref names));
        }

        if (names.Remaining != 0)
            throw Damaged($"{names.Remaining} bytes of names are left after the last restore point");
        try
        {
            return new RecoveryTargetIndex(timeline, new Lsn(segmentStart), size, events);
        }
        catch (ArgumentException e)
        {
            throw Damaged(e.Message, e);
        }
    }

    private static RecoveryTargetEvent ReadEvent(ReadOnlySpan<byte> entry, int i, ulong segmentStart, uint segmentBytes, ref WalDataReader names)
    {
        var kind = (RecoveryTargetKind)entry[0];
        var endOffset = BinaryPrimitives.ReadUInt32LittleEndian(entry[1..]);
        var span = BinaryPrimitives.ReadUInt32LittleEndian(entry[5..]);
        var microseconds = BinaryPrimitives.ReadInt64LittleEndian(entry[9..]);
        var xid = BinaryPrimitives.ReadUInt32LittleEndian(entry[17..]);
        if (!Enum.IsDefined(kind))
            throw Damaged($"event {i} is of unknown kind {entry[0]}");
        if (endOffset == 0 || endOffset > segmentBytes || span >= segmentStart + endOffset)
            throw Damaged($"event {i} ends {endOffset} bytes into the segment and spans {span} bytes, which no record in this segment can");
        if (!PostgresTimestamp.TryToDateTimeOffset(microseconds, out var time))
            throw Damaged($"event {i} has the impossible time {microseconds}");

        string? name = null;
        if (kind == RecoveryTargetKind.RestorePoint)
        {
            try
            {
                var length = names.ReadByte("the length of a restore point name");
                name = StrictUtf8.GetString(names.Take(length, "a restore point name"));
            }
            catch (Exception e) when (e is FormatException or DecoderFallbackException)
            {
                throw Damaged($"the name of event {i}: {e.Message}", e);
            }
        }

        var end = new Lsn(segmentStart + endOffset);
        return new RecoveryTargetEvent(kind, new Lsn(end.Value - span), end, time, xid, name);
    }

    private static InvalidDataException Damaged(string problem, Exception? inner = null) =>
        new($"the recovery target index is damaged: {problem}", inner);
}

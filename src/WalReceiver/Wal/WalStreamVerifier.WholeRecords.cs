using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace WalReceiver.Wal;

/// <summary>
/// The fast path of the verifier: most records are small and lie whole in the data at hand, so they are checked where
/// they are, one after another, without copying their header or going back through the page logic per record.
/// </summary>
internal sealed partial class WalStreamVerifier
{
    /// <summary>
    /// Checks the records that start at the current position, at a record start, and lie whole, padding included, in
    /// <paramref name="page"/> (bytes of one page); returns how many bytes they take. It stops, leaving the state as it
    /// was before that record, at the first record that is split, is a switch record or has anything wrong: the general
    /// path then takes it and reports any problem in its own words, in the same order of checks.
    /// </summary>
    // Fully optimized from the first call: a catch-up spends its first seconds here, before tiering would promote it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ReadWholeRecords(ReadOnlySpan<byte> page)
    {
        var at = 0;
        var previous = _previousRecord;
        var count = 0;
        while (page.Length - at >= RecordHeaderSize)
        {
            var record = page[at..];
            var length = BinaryPrimitives.ReadUInt32LittleEndian(record);
            var aligned = ((ulong)length + (MaxAlign - 1)) & ~(ulong)(MaxAlign - 1);
            if (length < RecordHeaderSize || aligned > (ulong)record.Length)
                break;
            if (previous != 0 && BinaryPrimitives.ReadUInt64LittleEndian(record[8..]) != previous)
                break;
            if (record[17] == XlogResourceManager && (record[16] & 0xF0) == XlogSwitch)
                break;
            var crc = Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Initial, record[RecordHeaderSize..(int)length]), record[..CrcOffset]));
            if (crc != BinaryPrimitives.ReadUInt32LittleEndian(record[CrcOffset..]))
                break;
            // The padding is the top (aligned - length) bytes of the record's last aligned word (a record is at least 24 bytes).
            var padding = (int)(aligned - length);
            if (padding != 0 && BinaryPrimitives.ReadUInt64LittleEndian(record[((int)aligned - MaxAlign)..]) >> (8 * (MaxAlign - padding)) != 0)
                break;
            previous = _position + (ulong)at;
            count++;
            at += (int)aligned;
        }

        if (count > 0)
        {
            _position += (ulong)at;
            _previousRecord = previous;
            RecordsChecked += count;
        }

        return at;
    }
}

using System.Buffers.Binary;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Fixtures;

/// <summary>
/// Follows the server-to-client side of a replication connection message by message (type byte, length, payload) and
/// flips one WAL byte inside an XLogData message (<c>CopyData</c> 'd' whose payload starts with 'w', 25 header bytes).
/// </summary>
public sealed class WalCorrupter(long walBytes)
{
    private const int XLogDataHeader = 25; // 'w', dataStart, walEnd, sendTime
    private readonly TaskCompletionSource<Lsn> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _header = new byte[5 + XLogDataHeader];
    private int _headerFill;
    private long _remaining; // payload bytes of the current message still to come after the header part
    private bool _isWal;
    private ulong _walLsn; // LSN of the next WAL byte of the current XLogData message
    private long _walSeen;
    private bool _atStart = true;

    /// <summary>Completes with the LSN of the flipped byte.</summary>
    public Task<Lsn> Corrupted => _done.Task;

    /// <summary>Looks at bytes on their way to the client, flipping the chosen one in place.</summary>
    public void Inspect(Span<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length && !_done.Task.IsCompleted)
        {
            // Answers to an SSL or GSS encryption request are single bytes before the first message; refused ones are 'N'.
            if (_atStart && _headerFill == 0 && bytes[i] == (byte)'N')
            {
                i++;
                continue;
            }

            _atStart = false;
            if (_remaining == 0 && !_isWal)
            {
                i += ReadHeader(bytes[i..]);
                continue;
            }

            var n = (int)Math.Min(_remaining, bytes.Length - i);
            if (_isWal)
            {
                for (var k = 0; k < n; k++)
                {
                    if (_walSeen + k >= walBytes && bytes[i + k] != 0)
                    {
                        bytes[i + k] ^= 0x10;
                        _done.TrySetResult(new Lsn(_walLsn + (ulong)k));
                        return;
                    }
                }

                _walSeen += n;
                _walLsn += (ulong)n;
            }

            _remaining -= n;
            i += n;
            if (_remaining == 0)
                _isWal = false;
        }
    }

    // Collects the message header (and an XLogData header) across reads; returns the bytes it used.
    private int ReadHeader(ReadOnlySpan<byte> bytes)
    {
        var used = 0;
        while (used < bytes.Length)
        {
            _header[_headerFill++] = bytes[used++];
            if (_headerFill == 5)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(1)) - 4;
                if (_header[0] != (byte)'d' || length <= XLogDataHeader)
                {
                    _remaining = length;
                    _headerFill = 0;
                    _isWal = false;
                    return used;
                }
            }
            else if (_headerFill == 6 && _header[5] != (byte)'w')
            {
                _remaining = BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(1)) - 4 - 1;
                _headerFill = 0;
                return used;
            }
            else if (_headerFill == _header.Length)
            {
                _remaining = BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(1)) - 4 - XLogDataHeader;
                _walLsn = BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(6));
                _isWal = true;
                _headerFill = 0;
                return used;
            }
        }

        return used;
    }
}

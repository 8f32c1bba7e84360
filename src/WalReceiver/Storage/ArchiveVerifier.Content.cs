using System.Security.Cryptography;
using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>The content half of the archive verifier: every file's pages and records, streamed once.</summary>
internal sealed partial class ArchiveVerifier
{
    /// <summary>Runs one <see cref="WalStreamVerifier"/> across consecutive segments of a timeline; a gap or a problem starts a new one.</summary>
    private void VerifyContent(uint timeline, List<ArchiveFile> files)
    {
        WalStreamVerifier? chain = null;
        ulong next = 0;
        foreach (var file in files)
        {
            var start = _segmentSize.StartOfSegment(file.Segment);
            var continues = chain is not null && file.Segment == next && chain.Position == start;
            var verifier = continues ? chain! : new WalStreamVerifier(_segmentSize, _systemId, timeline, start, _magic) { AcceptEndOfWal = true };
            var sound = VerifyFile(file, verifier, start);
            if (!file.IsPartial)
            {
                chain = sound ? verifier : null;
                next = file.Segment + 1;
            }
            else if (continues)
            {
                chain = null; // it took the partial's end of WAL; the next file starts a chain of its own
            }
        }
    }

    /// <summary>Reads, checks and hashes one file; true when a chain may continue past it.</summary>
    private bool VerifyFile(ArchiveFile file, WalStreamVerifier verifier, Lsn start)
    {
        _files++;
        var hashed = !file.IsPartial && _source.WantsHash(file.Name);
        var before = verifier.RecordsChecked;
        var segmentBytes = (long)_segmentSize.Bytes;
        long length = 0;
        WalVerificationError? error = null;
        string? hash = null;
        var readable = true;
        try
        {
            // A plain file's stored bytes are its WAL bytes: hashed on a second core while this one checks them. A
            // compressed file is hashed as stored, on its way into the decompressor.
            using var plainHash = hashed && file.Algorithm == CompressionAlgorithm.None ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
            HashingReadStream? hashing = null;
            using var stream = CompressedWal.OpenRead(_source.OpenStored(file.Name), file.Algorithm,
                hashed && plainHash is null ? stored => hashing = new HashingReadStream(stored) : null);
            int n;
            while ((n = stream.ReadAtLeast(_buffer, _buffer.Length, throwOnEndOfStream: false)) > 0)
            {
                var wal = (int)Math.Clamp(segmentBytes - length, 0, n);
                var at = start + (ulong)length;
                var check = error is null && wal > 0;
                if (plainHash is not null && check)
                    Parallel.Invoke(() => plainHash.AppendData(_buffer, 0, n), () => error = verifier.Append(at, _buffer.AsSpan(0, wal)));
                else if (check)
                    error = verifier.Append(at, _buffer.AsSpan(0, wal));
                if (plainHash is not null && !check)
                    plainHash.AppendData(_buffer, 0, n);
                length += n;
            }

            hash = hashing?.Finish() ?? (plainHash is null ? null : Convert.ToHexStringLower(plainHash.GetHashAndReset()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException || CompressedWal.IsDamage(e))
        {
            readable = false;
            Add(ArchiveFindingSeverity.Error, file.Name, start + (ulong)Math.Min(length, segmentBytes),
                $"could not be {(file.Algorithm == CompressionAlgorithm.None ? "read" : "decompressed")} past byte {length}: {e.Message}");
        }

        _bytes += length;
        _records += verifier.RecordsChecked - before;
        if (error is not null)
            Add(ArchiveFindingSeverity.Error, file.Name, error.Lsn, error.Problem);
        var sound = readable && error is null;
        if (file.IsPartial)
        {
            if (length > segmentBytes)
                Add(ArchiveFindingSeverity.Error, file.Name, null, $"holds {length} bytes of WAL, more than a segment's {segmentBytes}");
            if (file.Name == _newestPartial)
                Add(ArchiveFindingSeverity.Info, file.Name, null,
                    $"is the newest segment, still being written: valid WAL up to {verifier.EndOfWal ?? verifier.VerifiedUpTo}");
            return sound;
        }

        if (readable && length != segmentBytes)
        {
            Add(ArchiveFindingSeverity.Error, file.Name, start + (ulong)Math.Min(length, segmentBytes),
                $"holds {length} bytes of WAL{(file.Algorithm == CompressionAlgorithm.None ? "" : " decompressed")}, but a complete segment has {segmentBytes}");
            sound = false;
        }

        if (sound && verifier.EndOfWal is { } end)
        {
            Add(ArchiveFindingSeverity.Error, file.Name, end, "valid WAL ends here, inside a complete segment (zeros where a record or page should be)");
            sound = false;
        }

        _findings.AddRange(_source.CheckStored(file.Name, hash));
        return sound;
    }
}

using System.Security.Cryptography;

namespace WalReceiver.Storage;

/// <summary>A read-only pass-through stream that hashes every byte read through it: one read of a file serves both its hash and its content.</summary>
/// <param name="inner">The stream read, owned.</param>
/// <param name="algorithm">The hash: SHA-256 (the manifest's), or MD5 (what S3's ETags are).</param>
/// <param name="atEnd">Called with the hash (lower-case hex) when a read reaches the end of <paramref name="inner"/>, for a reader that only disposes the stream.</param>
internal sealed class HashingReadStream(Stream inner, HashAlgorithmName algorithm, Action<string>? atEnd = null) : ForwardReadStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(algorithm);
    private string? _result;

    /// <summary>Hashes with SHA-256.</summary>
    public HashingReadStream(Stream inner)
        : this(inner, HashAlgorithmName.SHA256)
    {
    }

    /// <summary>Reads the rest of the inner stream (bytes a decompressor left unread still count), then returns the hash in lower-case hex.</summary>
    public string Finish()
    {
        var buffer = new byte[1 << 16];
        while (Read(buffer) > 0)
        {
        }

        return _result!;
    }

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        if (_result is not null)
            return 0;
        var n = inner.Read(buffer);
        _hash.AppendData(buffer[..n]);
        if (n == 0 && buffer.Length > 0)
        {
            _result = Convert.ToHexStringLower(_hash.GetHashAndReset());
            atEnd?.Invoke(_result);
        }

        return n;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}

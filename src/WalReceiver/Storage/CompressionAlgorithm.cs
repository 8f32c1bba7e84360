namespace WalReceiver.Storage;

/// <summary>How segment files are stored, named as pg_receivewal's <c>-Z</c> names them.</summary>
internal enum CompressionAlgorithm
{
    /// <summary>Plain segment files, byte for byte the server's.</summary>
    None,

    /// <summary><c>.gz</c> files: gzip members (RFC 1952), one per flush.</summary>
    Gzip,

    /// <summary><c>.lz4</c> files: LZ4 frames, one per flush.</summary>
    Lz4,

    /// <summary><c>.zst</c> files: Zstandard frames, one per flush (pg_receivewal 15 names it but refuses it).</summary>
    Zstd,
}

namespace WalReceiver.Cli.Commands.Receive;

/// <summary>The algorithms <c>-Z</c> names, as pg_receivewal 15 knows them (only <see cref="None"/> is implemented).</summary>
internal enum CompressionAlgorithm
{
    /// <summary>Plain segment files.</summary>
    None,

    /// <summary><c>.gz</c> segment files (not implemented yet).</summary>
    Gzip,

    /// <summary><c>.lz4</c> segment files (not implemented yet).</summary>
    Lz4,

    /// <summary>Named by pg_receivewal 15 but refused by it too.</summary>
    Zstd,
}

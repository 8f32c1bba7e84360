namespace WalReceiver.Wal;

/// <summary>
/// The built-in resource managers by <c>xl_rmid</c>, with the names pg_waldump prints (PostgreSQL 15; ids 128-255 are
/// custom resource managers, which have no built-in name).
/// </summary>
internal static class ResourceManagers
{
    private static readonly string[] Names =
    [
        "XLOG", "Transaction", "Storage", "CLOG", "Database", "Tablespace", "MultiXact", "RelMap", "Standby", "Heap2",
        "Heap", "Btree", "Hash", "Gin", "Gist", "Sequence", "SPGist", "BRIN", "CommitTs", "ReplicationOrigin", "Generic",
        "LogicalMessage",
    ];

    /// <summary>The name of resource manager <paramref name="id"/>, or <c>custom###</c> / <c>unknown###</c>.</summary>
    public static string NameOf(byte id) => id < Names.Length
        ? Names[id]
        : id >= 128 ? $"custom{id:D3}" : $"unknown{id:D3}";
}

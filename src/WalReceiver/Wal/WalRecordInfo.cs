namespace WalReceiver.Wal;

/// <summary>One WAL record's header, as <c>walreceiver inspect</c> lists it and <see cref="Storage.WalArchive"/> reads it back.</summary>
/// <param name="Lsn">Where the record starts.</param>
/// <param name="TotalLength"><c>xl_tot_len</c>: header, block references and data.</param>
/// <param name="Xid"><c>xl_xid</c> (0 for records of no transaction).</param>
/// <param name="Previous"><c>xl_prev</c>: the start of the record before.</param>
/// <param name="Info"><c>xl_info</c>: the record type in the high nibble, flags in the low.</param>
/// <param name="ResourceManager"><c>xl_rmid</c>.</param>
/// <param name="CrcOk">Whether <c>xl_crc</c> matches; null when the record is not whole in what was read.</param>
public readonly record struct WalRecordInfo(Lsn Lsn, uint TotalLength, uint Xid, Lsn Previous, byte Info, byte ResourceManager, bool? CrcOk)
{
    /// <summary>The resource manager's name, as pg_waldump prints it.</summary>
    public string ResourceManagerName => ResourceManagers.NameOf(ResourceManager);
}

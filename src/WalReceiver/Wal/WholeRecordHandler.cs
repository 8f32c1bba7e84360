namespace WalReceiver.Wal;

/// <summary>Receives one whole WAL record, reassembled across pages with its CRC checked, and where it starts.</summary>
/// <param name="lsn">The record's start.</param>
/// <param name="record">Its <c>xl_tot_len</c> bytes; valid only during the call.</param>
internal delegate void WholeRecordHandler(Lsn lsn, ReadOnlySpan<byte> record);

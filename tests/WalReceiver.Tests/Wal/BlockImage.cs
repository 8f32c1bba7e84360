namespace WalReceiver.Tests.Wal;

/// <summary>A full-page image for <see cref="RecordBuilder.Block"/>: its stored bytes, hole offset, bimg_info, and the hole length header if any.</summary>
internal readonly record struct BlockImage(byte[] Bytes, ushort HoleOffset, byte Info, ushort? HoleLength = null);

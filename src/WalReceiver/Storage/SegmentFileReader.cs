namespace WalReceiver.Storage;

/// <summary>
/// Reads a segment file's WAL bytes, decompressing by its name, and keeps the last one read: in a directory each file is
/// read first as the next segment of the one before (to finish its last record), then for itself.
/// </summary>
internal sealed class SegmentFileReader
{
    private (string Path, byte[] Bytes)? _last;

    /// <summary>The file's WAL bytes.</summary>
    public byte[] Read(string path)
    {
        if (_last is { } last && last.Path == path)
            return last.Bytes;
        using var stream = CompressedWal.OpenRead(path);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        _last = (path, bytes);
        return bytes;
    }
}

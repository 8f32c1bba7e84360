using System.Diagnostics;
using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>
/// Checks an archive (a directory, or a bucket prefix: <see cref="ArchiveSource"/>) the way a recovery would need it: no gap between segments (per timeline, the switches
/// explained by history files), no file of another cluster, every page header and record CRC right
/// (<see cref="WalStreamVerifier"/> over each timeline's consecutive segments), every completed file matching its
/// stored hash (the manifest's line, an object's metadata) and of a segment's size, and no <c>.partial</c> left over
/// from an earlier run.
/// </summary>
/// <remarks>
/// Each file is read once, streaming, through one buffer: memory does not grow with the archive. Compressed files
/// (<c>.gz</c>, <c>.lz4</c>, <c>.zst</c>) are checked on their decompressed bytes and hashed on their stored bytes.
/// </remarks>
internal sealed partial class ArchiveVerifier
{
    private const int BufferSize = 1 << 20;

    private readonly ArchiveSource _source;
    private readonly List<ArchiveFinding> _findings = [];
    private readonly byte[] _buffer = new byte[BufferSize];
    private WalSegmentSize _segmentSize = WalSegmentSize.Default;
    private ulong _systemId;
    private ushort? _magic;
    private long _bytes;
    private long _records;
    private int _files;

    private ArchiveVerifier(ArchiveSource source) => _source = source;

    /// <summary>Verifies the archive in <paramref name="directory"/>, which must exist and be readable.</summary>
    public static ArchiveVerificationReport Verify(string directory) => Verify(new ArchiveDirectorySource(directory));

    /// <summary>Verifies the archive <paramref name="source"/> reads.</summary>
    public static ArchiveVerificationReport Verify(ArchiveSource source)
    {
        var stopwatch = Stopwatch.StartNew();
        var verifier = new ArchiveVerifier(source);
        verifier.Run();
        return new ArchiveVerificationReport
        {
            Findings = [.. verifier._findings.OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Lsn?.Value ?? 0)],
            Files = verifier._files,
            Bytes = verifier._bytes,
            RecordsChecked = verifier._records,
            Elapsed = stopwatch.Elapsed,
        };
    }

    private void Run()
    {
        _findings.AddRange(_source.Findings);
        var histories = new Dictionary<uint, TimelineHistory>();
        foreach (var name in _source.Names)
        {
            if (TimelineId.TryParseHistoryFileName(name, out var timeline))
                ReadHistory(name, timeline, histories);
        }

        var segments = _source.Names.Select(n => (Name: n, Parts: CompressedWal.Split(n)))
            .Where(f => f.Parts.Stem.Length == WalFileName.Length && WalFileName.IsUpperHex(f.Parts.Stem)).ToList();
        _source.WillOpen([.. segments.Select(f => f.Name)], whole: false);
        var candidates = segments.Select(f => new ArchiveFile(f.Name, f.Parts.Stem, f.Parts.Algorithm, f.Parts.IsPartial, ReadLongHeader(f.Name, f.Parts.Algorithm)))
            .ToList();

        if (candidates.Count == 0)
            return;
        _segmentSize = MostCommon(candidates.Select(f => f.Header?.SegmentSize).Where(s => s is { } v && WalSegmentSize.IsValid(v)))
            is { } size ? new WalSegmentSize((int)size) : WalSegmentSize.Default;
        _magic = (ushort?)MostCommon(candidates.Select(f => (uint?)f.Header?.Magic));
        var files = OwnFiles(candidates);
        CheckContinuity(files, histories);
        var timelines = files.GroupBy(f => f.Timeline).OrderBy(g => g.Key)
            .Select(g => (Timeline: g.Key, Files: g.OrderBy(f => f.Segment).ThenBy(f => f.IsPartial).ToList())).ToList();
        _source.WillOpen([.. timelines.SelectMany(t => t.Files).Select(f => f.Name)], whole: true);
        foreach (var (timeline, inOrder) in timelines)
            VerifyContent(timeline, inOrder);
    }

    /// <summary>The files of this archive's cluster with their names parsed; the others are reported and left out.</summary>
    private List<ArchiveFile> OwnFiles(List<ArchiveFile> candidates)
    {
        var marker = _source.IdentityMarker();
        string source;
        if (marker is not null && ArchiveIdentity.TryParseMarker(marker, out var recorded))
        {
            (_systemId, source) = (recorded, $"recorded in {ArchiveIdentity.FileName}");
        }
        else
        {
            if (marker is not null)
                Add(ArchiveFindingSeverity.Error, ArchiveIdentity.FileName, null, "does not hold a system identifier; the majority of the segments decides instead");
            (_systemId, source) = (MostCommon(candidates.Select(f => f.Header?.SystemId)) ?? 0, "the system identifier of most segments");
        }

        var own = new List<ArchiveFile>();
        foreach (var file in candidates)
        {
            if (!WalFileName.TryParse(file.Stem, _segmentSize, out var timeline, out var segment))
            {
                Add(ArchiveFindingSeverity.Warning, file.Name, null, $"is not a segment name for {_segmentSize} segments; not checked");
                continue;
            }

            if (file.Header is { } h && h.SystemId != _systemId)
            {
                Add(ArchiveFindingSeverity.Error, file.Name, _segmentSize.StartOfSegment(segment),
                    $"belongs to another cluster: xlp_sysid {h.SystemId}, but the archive's is {_systemId} ({source})");
                continue;
            }

            own.Add(file with { Timeline = timeline, Segment = segment });
        }

        return own;
    }

    private void ReadHistory(string name, uint timeline, Dictionary<uint, TimelineHistory> histories)
    {
        // History files are small: read whole, hashed on the way when the source keeps a hash for them.
        string text;
        string? hash;
        using (var stream = _source.WantsHash(name) ? new HashingReadStream(_source.OpenStored(name)) : _source.OpenStored(name))
        {
            using (var reader = new StreamReader(stream, leaveOpen: true))
                text = reader.ReadToEnd();
            hash = (stream as HashingReadStream)?.Finish();
        }

        try
        {
            histories[timeline] = TimelineHistory.Parse(timeline, text);
        }
        catch (FormatException e)
        {
            Add(ArchiveFindingSeverity.Error, name, null, e.Message);
        }

        _findings.AddRange(_source.CheckStored(name, hash));
    }

    private WalPageHeader? ReadLongHeader(string name, CompressionAlgorithm algorithm)
    {
        try
        {
            return CompressedWal.ReadLongHeader(_source.OpenStart(name), algorithm);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException || CompressedWal.IsDamage(e))
        {
            return null; // the content check reports it
        }
    }

    private void Add(ArchiveFindingSeverity severity, string file, Lsn? lsn, string message) =>
        _findings.Add(new ArchiveFinding(severity, file, lsn, message));

    private static T? MostCommon<T>(IEnumerable<T?> values) where T : struct =>
        values.Where(v => v.HasValue).GroupBy(v => v!.Value).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).FirstOrDefault()?.Key;
}

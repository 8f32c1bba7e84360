using System.Buffers.Binary;
using System.Diagnostics;
using WalReceiver.Wal;

// Feeds real WAL segments through WalStreamVerifier in fixed-size chunks, as the stream delivers them, and prints
// throughput (of the verifier alone, over bytes already in cache): MB/s and ns per record, per chunk size, plus the raw CRC-32C rate over the same bytes as a ceiling.
// Then the same for RecoveryTargetScanner (taking each segment's events as the stream passes its end), after checking
// that it finds the events WalSegmentInspector and RecoveryTargetDecoder find, whose rate is printed as a reference.
// Usage: VerifierBench DIR [ROUNDS] [CHUNK...]   DIR holds consecutive 16 MB segments of one timeline, named as in pg_wal.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: VerifierBench DIR [ROUNDS] [CHUNK_KB...]");
    return 2;
}

var files = Directory.GetFiles(args[0]).Where(f => Path.GetFileName(f).Length == 24 && Path.GetFileName(f).All(char.IsAsciiHexDigitUpper)).Order(StringComparer.Ordinal).ToArray();
var rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
int[] chunks = args.Length > 2
    ? [.. args.Skip(2).Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture) * 1024)]
    : [8 * 1024, 16 * 1024, 128 * 1024];
var wal = new byte[files.Sum(f => new FileInfo(f).Length)];
var at = 0;
foreach (var f in files)
{
    var bytes = File.ReadAllBytes(f);
    bytes.CopyTo(wal, at);
    at += bytes.Length;
}

var segmentSize = WalSegmentSize.Default;
var systemId = BinaryPrimitives.ReadUInt64LittleEndian(wal.AsSpan(24));
var start = new Lsn(BinaryPrimitives.ReadUInt64LittleEndian(wal.AsSpan(8)));
var timeline = BinaryPrimitives.ReadUInt32LittleEndian(wal.AsSpan(4));
Console.WriteLine($"{files.Length} segments, {wal.Length >> 20} MB from {start}, {rounds} rounds, best and median of each");

var crcTimes = new List<double>();
var hot = new byte[128 * 1024];
wal.AsSpan(0, hot.Length).CopyTo(hot);
for (var r = 0; r < rounds; r++)
{
    // Over one 128 KB buffer in cache, as many times as the WAL is long: the ceiling for the record bodies.
    var sw = Stopwatch.StartNew();
    for (var offset = 0; offset < wal.Length; offset += hot.Length)
        _ = Crc32C.Append(Crc32C.Initial, hot);
    crcTimes.Add(sw.Elapsed.TotalSeconds);
}

Report("crc32c alone", crcTimes, 0);
foreach (var chunk in chunks)
{
    var times = new List<double>();
    long records = 0;
    var buffer = new byte[chunk];
    for (var r = 0; r < rounds + 1; r++)
    {
        var verifier = new WalStreamVerifier(segmentSize, systemId, timeline, start, null);
        var position = start.Value;
        long ticks = 0;
        for (var offset = 0; offset < wal.Length; offset += chunk)
        {
            // Copied into one reused buffer first, as the stream's source does: the verifier reads bytes still in cache.
            var data = buffer.AsSpan(0, Math.Min(chunk, wal.Length - offset));
            wal.AsSpan(offset, data.Length).CopyTo(data);
            var before = Stopwatch.GetTimestamp();
            if (verifier.Append(new Lsn(position), data) is { } error)
                throw new InvalidOperationException(error.ToString());
            ticks += Stopwatch.GetTimestamp() - before;
            position += (ulong)data.Length;
        }

        var elapsed = (double)ticks / Stopwatch.Frequency;
        records = verifier.RecordsChecked;
        if (r > 0) // the first round warms the JIT up (tiering, PGO)
            times.Add(elapsed);
    }

    Report($"verify {chunk / 1024,4} KB", times, records);
}

var format = WalRecordFormat.ForPageMagic(BinaryPrimitives.ReadUInt16LittleEndian(wal)) ?? throw new InvalidOperationException("unknown page magic");
var inspected = new List<RecoveryTargetEvent>();
var inspectTimes = new List<double>();
long inspectedRecords = 0;
for (var r = 0; r < rounds + 1; r++)
{
    var found = new List<RecoveryTargetEvent>();
    inspectedRecords = 0;
    var sw = Stopwatch.StartNew();
    for (var offset = 0; offset < wal.Length; offset += segmentSize.Bytes)
    {
        var next = wal.AsSpan(Math.Min(offset + segmentSize.Bytes, wal.Length));
        inspectedRecords += WalSegmentInspector.Inspect(wal.AsSpan(offset, segmentSize.Bytes), next[..Math.Min(next.Length, segmentSize.Bytes)],
            start + (ulong)offset, (lsn, record) =>
            {
                if (RecoveryTargetDecoder.Decode(record, lsn, segmentSize, format) is { } e)
                    found.Add(e);
            }).Records.Count;
    }

    if (r > 0)
        inspectTimes.Add(sw.Elapsed.TotalSeconds);
    inspected = found;
}

Report("inspect+decode", inspectTimes, inspectedRecords);
foreach (var chunk in chunks)
{
    var times = new List<double>();
    long records = 0;
    var buffer = new byte[chunk];
    for (var r = 0; r < rounds + 1; r++)
    {
        var scanner = new RecoveryTargetScanner(segmentSize, format, start);
        var found = new List<RecoveryTargetEvent>();
        var segment = segmentSize.SegmentOf(start);
        var position = start.Value;
        long ticks = 0;
        for (var offset = 0; offset < wal.Length; offset += chunk)
        {
            var data = buffer.AsSpan(0, Math.Min(chunk, wal.Length - offset));
            wal.AsSpan(offset, data.Length).CopyTo(data);
            var before = Stopwatch.GetTimestamp();
            scanner.Append(new Lsn(position), data);
            position += (ulong)data.Length;
            for (; segmentSize.StartOfSegment(segment + 1).Value <= position; segment++)
            {
                // The first segment may start inside a record: its list may lack that one, which the inspector skips too.
                if (!scanner.TryTakeEvents(segment, out var events, out var incomplete) && segment != segmentSize.SegmentOf(start))
                    throw new InvalidOperationException(incomplete);
                found.AddRange(events);
            }

            ticks += Stopwatch.GetTimestamp() - before;
        }

        if (!found.SequenceEqual(inspected) || scanner.RecordsScanned != inspectedRecords)
            throw new InvalidOperationException($"the scanner found {found.Count} events in {scanner.RecordsScanned} records, the inspector {inspected.Count} in {inspectedRecords}");
        records = scanner.RecordsScanned;
        if (r > 0)
            times.Add((double)ticks / Stopwatch.Frequency);
    }

    Report($"scan {chunk / 1024,4} KB", times, records);
}

Console.WriteLine($"{inspected.Count} events: {inspected.Count(e => e.Kind == RecoveryTargetKind.Commit)} commits, "
    + $"{inspected.Count(e => e.Kind == RecoveryTargetKind.Abort)} aborts, {inspected.Count(e => e.Kind == RecoveryTargetKind.RestorePoint)} restore points");
return 0;

void Report(string what, List<double> times, long records)
{
    times.Sort();
    var best = times[0];
    var median = times[times.Count / 2];
    var mbs = wal.Length / 1048576.0;
    var perRecord = records > 0 ? $"  {best * 1e9 / records,6:F1} / {median * 1e9 / records,6:F1} ns/record ({records} records)" : "";
    Console.WriteLine($"{what,-16} {mbs / best,8:F0} / {mbs / median,8:F0} MB/s  {best * 1e3 / mbs * 1024,6:F0} ms/GB{perRecord}");
}

using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Cli.Commands.Inspect;

/// <summary>What <c>walreceiver inspect</c> does: read segment files and list what is in them.</summary>
internal static class InspectCommand
{
    /// <summary>Lists the files' contents; exit 0 when every record read is whole and matches its CRC, 1 when not, 2 on bad input.</summary>
    public static int Run(ParseResult p, TextWriter output, TextWriter error)
    {
        var path = p.GetValue(InspectCommandDefinition.Path)!;
        var recordsOnly = p.GetValue(InspectCommandDefinition.RecordsOnly);
        List<string> files;
        if (Directory.Exists(path))
        {
            files = [.. Directory.GetFiles(path).Where(f => IsSegmentFile(Path.GetFileName(f))).Order(StringComparer.Ordinal)];
            if (files.Count == 0)
                return Fail(error, $"no WAL segment files in \"{path}\": give an archive directory, or one segment file");
        }
        else if (File.Exists(path))
        {
            if (!IsSegmentFile(Path.GetFileName(path)))
                return Fail(error, $"\"{Path.GetFileName(path)}\" is not named like a WAL segment file (000000010000000000000001, with .partial, .gz, .lz4 or .zst)");
            files = [path];
        }
        else
        {
            return Fail(error, $"\"{path}\" does not exist: give a WAL segment file or an archive directory");
        }

        var inspected = files.Select(f => (Name: Path.GetFileName(f), Result: InspectFile(f))).ToList();
        var bad = inspected.Sum(i => i.Result.Records.Count(r => r.CrcOk == false));
        var damaged = bad > 0 || inspected.Any(i => i.Result.Damaged);
        if (p.GetValue(InspectCommandDefinition.Json))
        {
            var json = new InspectJson([.. inspected.Select(i => ToJson(i.Name, i.Result, recordsOnly))], bad);
            output.WriteLine(JsonSerializer.Serialize(json, InspectJsonContext.Default.InspectJson));
        }
        else
        {
            foreach (var (name, result) in inspected)
                output.Write(Text(name, result, recordsOnly));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{inspected.Count} files, {inspected.Sum(i => i.Result.Records.Count)} records, {bad} with a bad CRC"));
        }

        return damaged ? ExitCodes.Failure : ExitCodes.Success;
    }

    /// <summary>The lines printed for one file.</summary>
    public static string Text(string name, WalInspection result, bool recordsOnly)
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        s.Append(c, $"file {name}");
        s.Append(result.SegmentSize is { } size ? string.Create(c, $": {new WalSegmentSize(size)} segments\n") : "\n");
        if (!recordsOnly)
        {
            foreach (var (lsn, h) in result.Pages)
                s.Append(c, $"page {lsn} magic 0x{h.Magic:X4} info 0x{h.Info:X4} tli {h.Timeline} addr {h.PageAddress} rem {h.RemainingLength}\n");
        }

        foreach (var r in result.Records)
        {
            s.Append(c, $"record {r.Lsn} len {r.TotalLength} prev {r.Previous} rmgr {r.ResourceManagerName} info 0x{r.Info:X2} xid {r.Xid} crc {Crc(r)}\n");
        }

        if (result.End is { } end)
            s.Append(c, $"{(result.Damaged ? "error" : "end")}: {end}\n");
        return s.ToString();
    }

    private static WalInspection InspectFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = ReadAll(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException || CompressedWal.IsDamage(e))
        {
            return new WalInspection(null, [], [], $"cannot read it: {e.Message}", Damaged: true);
        }

        var stem = CompressedWal.Split(Path.GetFileName(path)).Stem;
        if (!WalPageHeader.TryReadLong(bytes, out var header) || !WalSegmentSize.IsValid(header.SegmentSize))
            return WalSegmentInspector.Inspect(bytes, [], Lsn.Invalid); // says what is wrong with the header
        var size = new WalSegmentSize((int)header.SegmentSize);
        if (!WalFileName.TryParse(stem, size, out var timeline, out var segment))
            return new WalInspection((int)header.SegmentSize, [], [], $"the name is not a segment of a cluster with {size} segments", Damaged: true);

        // A record that starts here may end in the next segment: read it too, in whichever form the directory has it.
        var next = bytes.Length == size.Bytes ? ReadNext(Path.GetDirectoryName(path)!, WalFileName.Format(timeline, segment + 1, size)) : [];
        return WalSegmentInspector.Inspect(bytes, next, size.StartOfSegment(segment));
    }

    private static byte[] ReadNext(string directory, string stem)
    {
        foreach (var partial in (ReadOnlySpan<bool>)[false, true])
        {
            foreach (var algorithm in CompressedWal.Forms)
            {
                var candidate = Path.Combine(directory, CompressedWal.NameOf(stem, algorithm, partial));
                if (!File.Exists(candidate))
                    continue;
                try
                {
                    return ReadAll(candidate);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException || CompressedWal.IsDamage(e))
                {
                    return []; // the record is then listed as unchecked; the next file's own listing says what is wrong
                }
            }
        }

        return [];
    }

    private static byte[] ReadAll(string path)
    {
        using var stream = CompressedWal.OpenRead(path);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static bool IsSegmentFile(string name)
    {
        var stem = CompressedWal.Split(name).Stem;
        return stem.Length == WalFileName.Length && WalFileName.IsUpperHex(stem);
    }

    private static string Crc(WalRecordInfo r) => r.CrcOk switch
    {
        true => "ok",
        false => "bad",
        null => "unchecked",
    };

    private static InspectJsonFile ToJson(string name, WalInspection r, bool recordsOnly) => new(
        name,
        r.SegmentSize,
        recordsOnly ? [] : [.. r.Pages.Select(p => new InspectJsonPage(p.Lsn.ToString(), p.Header.Magic, p.Header.Info, p.Header.Timeline, p.Header.PageAddress.ToString(), p.Header.RemainingLength))],
        [.. r.Records.Select(x => new InspectJsonRecord(x.Lsn.ToString(), x.TotalLength, x.Previous.ToString(), x.ResourceManagerName, x.Info, x.Xid, Crc(x)))],
        r.End);

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"walreceiver: error: {message}");
        error.WriteLine("walreceiver: hint: Try \"walreceiver inspect --help\" for more information.");
        return ExitCodes.Usage;
    }
}

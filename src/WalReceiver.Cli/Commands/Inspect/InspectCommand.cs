using System.CommandLine;
using System.Globalization;
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
            files = [.. ArchiveInspector.SegmentFiles(path)];
            if (files.Count == 0)
                return Fail(error, $"no WAL segment files in \"{path}\": give an archive directory, or one segment file");
        }
        else if (File.Exists(path))
        {
            if (!ArchiveInspector.IsSegmentFile(Path.GetFileName(path)))
                return Fail(error, $"\"{Path.GetFileName(path)}\" is not named like a WAL segment file (000000010000000000000001, with .partial, .gz, .lz4 or .zst)");
            files = [path];
        }
        else
        {
            return Fail(error, $"\"{path}\" does not exist: give a WAL segment file or an archive directory");
        }

        // One file at a time, printed as it is read: an archive of thousands of segments is millions of records.
        var reader = new SegmentFileReader();
        var json = p.GetValue(InspectCommandDefinition.Json);
        var (records, bad, damaged) = (0L, 0, false);
        if (json)
            output.Write("{\"files\":[");
        for (var i = 0; i < files.Count; i++)
        {
            var name = Path.GetFileName(files[i]);
            var result = ArchiveInspector.Inspect(files[i], reader);
            records += result.Records.Count;
            bad += result.Records.Count(r => r.CrcOk == false);
            damaged |= result.Damaged;
            if (json)
                WriteJson(output, i > 0, name, result, recordsOnly);
            else
                WriteText(output, name, result, recordsOnly);
        }

        output.WriteLine(json
            ? string.Create(CultureInfo.InvariantCulture, $"],\"badRecords\":{bad}}}")
            : string.Create(CultureInfo.InvariantCulture, $"{files.Count} files, {records} records, {bad} with a bad CRC"));
        damaged |= bad > 0;
        return damaged ? ExitCodes.Failure : ExitCodes.Success;
    }

    /// <summary>The lines printed for one file, written as they are formed.</summary>
    public static void WriteText(TextWriter output, string name, WalInspection result, bool recordsOnly)
    {
        var c = CultureInfo.InvariantCulture;
        output.Write($"file {name}");
        output.Write(result.SegmentSize is { } size ? string.Create(c, $": {new WalSegmentSize(size)} segments\n") : "\n");
        if (!recordsOnly)
        {
            foreach (var (lsn, h) in result.Pages)
                output.Write(string.Create(c, $"page {lsn} magic 0x{h.Magic:X4} info 0x{h.Info:X4} tli {h.Timeline} addr {h.PageAddress} rem {h.RemainingLength}\n"));
        }

        foreach (var r in result.Records)
            output.Write(string.Create(c, $"record {r.Lsn} len {r.TotalLength} prev {r.Previous} rmgr {r.ResourceManagerName} info 0x{r.Info:X2} xid {r.Xid} crc {Crc(r)}\n"));
        if (result.End is { } end)
            output.Write($"{(result.Damaged ? "error" : "end")}: {end}\n");
    }

    // One element of "files": {"file", "segmentSize", "end", "pages": [...], "records": [...]}, each page and record
    // serialized on its own, so no string holds a whole segment's listing.
    private static void WriteJson(TextWriter output, bool comma, string name, WalInspection result, bool recordsOnly)
    {
        var context = InspectJsonContext.Default;
        output.Write(comma ? ",{\"file\":" : "{\"file\":");
        output.Write(JsonSerializer.Serialize(name, context.String));
        output.Write(",\"segmentSize\":");
        output.Write(result.SegmentSize is { } size ? size.ToString(CultureInfo.InvariantCulture) : "null");
        output.Write(",\"end\":");
        output.Write(result.End is { } end ? JsonSerializer.Serialize(end, context.String) : "null");
        output.Write(",\"pages\":[");
        if (!recordsOnly)
        {
            for (var i = 0; i < result.Pages.Count; i++)
            {
                var (lsn, h) = result.Pages[i];
                output.Write(i > 0 ? "," : "");
                output.Write(JsonSerializer.Serialize(
                    new InspectJsonPage(lsn.ToString(), h.Magic, h.Info, h.Timeline, h.PageAddress.ToString(), h.RemainingLength), context.InspectJsonPage));
            }
        }

        output.Write("],\"records\":[");
        for (var i = 0; i < result.Records.Count; i++)
        {
            var r = result.Records[i];
            output.Write(i > 0 ? "," : "");
            output.Write(JsonSerializer.Serialize(
                new InspectJsonRecord(r.Lsn.ToString(), r.TotalLength, r.Previous.ToString(), r.ResourceManagerName, r.Info, r.Xid, Crc(r)),
                context.InspectJsonRecord));
        }

        output.Write("]}");
    }

    private static string Crc(WalRecordInfo r) => r.CrcOk switch
    {
        true => "ok",
        false => "bad",
        null => "unchecked",
    };

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"walreceiver: error: {message}");
        error.WriteLine("walreceiver: hint: Try \"walreceiver inspect --help\" for more information.");
        return ExitCodes.Usage;
    }
}

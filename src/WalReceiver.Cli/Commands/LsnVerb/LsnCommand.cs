using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using WalReceiver.Wal;

namespace WalReceiver.Cli.Commands.LsnVerb;

/// <summary>What <c>walreceiver lsn</c> does: pure arithmetic from the command line, no server and no archive.</summary>
internal static class LsnCommand
{
    /// <summary>Prints the answer; exit 2 when the input is neither an LSN, a WAL file name nor two LSNs.</summary>
    public static int Run(ParseResult p, TextWriter output, TextWriter error)
    {
        var values = p.GetValue(LsnCommandDefinition.Values)!;
        var json = p.GetValue(LsnCommandDefinition.Json);
        var timeline = p.GetValue(LsnCommandDefinition.Timeline);
        if (timeline == 0)
            return Fail(error, "--timeline must be 1 or more: timelines start at 1");
        if (!TryParseSegmentSize(p.GetValue(LsnCommandDefinition.SegmentSize), out var size, out var sizeError))
            return Fail(error, sizeError);

        if (values.Length == 2)
        {
            if (!Lsn.TryParse(values[0], out var a))
                return Fail(error, NotTwoLsns(values[0]));
            if (!Lsn.TryParse(values[1], out var b))
                return Fail(error, NotTwoLsns(values[1]));
            var bytes = (decimal)a.Value - b.Value; // exact over the whole LSN range, as pg_wal_lsn_diff's numeric
            output.WriteLine(json
                ? JsonSerializer.Serialize(new LsnJsonDifference(a.ToString(), b.ToString(), bytes), LsnJsonContext.Default.LsnJsonDifference)
                : bytes.ToString(CultureInfo.InvariantCulture));
            return ExitCodes.Success;
        }

        if (Lsn.TryParse(values[0], out var lsn))
        {
            var at = new LsnLocation(lsn, timeline ?? TimelineId.First, size);
            output.Write(json
                ? JsonSerializer.Serialize(ToJson(at), LsnJsonContext.Default.LsnJsonLocation) + "\n"
                : Text(at));
            return ExitCodes.Success;
        }

        if (!WalFileRange.TryParse(values[0], size, out var range, out var nameError))
            return Fail(error, nameError!);
        if (timeline is { } t && t != range.Timeline)
            return Fail(error, $"--timeline {t} contradicts the file name, which is on timeline {range.Timeline}: leave --timeline out for a file name");
        output.Write(json
            ? JsonSerializer.Serialize(ToJson(range), LsnJsonContext.Default.LsnJsonFile) + "\n"
            : Text(range));
        return ExitCodes.Success;
    }

    /// <summary>The lines printed for an LSN.</summary>
    public static string Text(LsnLocation at)
    {
        var s = string.Create(CultureInfo.InvariantCulture,
            $"lsn       {at.Lsn}\ntimeline  {at.Timeline}\nfile      {at.FileName}\noffset    0x{at.Offset:X} ({at.Offset})\n" +
            $"segment   {at.First} .. {at.Last} ({at.SegmentSize})\n");
        return at.IsSegmentStart && at.Segment > 0
            ? s + $"note      the first byte of its file: pg_walfile_name names {at.EndingFileName} (the file that ends here) with offset 0\n"
            : s;
    }

    /// <summary>The lines printed for a WAL file name.</summary>
    public static string Text(WalFileRange range) => string.Create(CultureInfo.InvariantCulture,
        $"file      {range.FileName}\ntimeline  {range.Timeline}\nsegment   {range.First} .. {range.Last} ({range.SegmentSize})\n");

    /// <summary>
    /// Reads <c>--wal-segsize</c>: a bare number is megabytes (<c>initdb --wal-segsize</c>), a number with kB, MB or GB is
    /// what <c>SHOW wal_segment_size</c> prints; absent, PostgreSQL's default of 16MB.
    /// </summary>
    public static bool TryParseSegmentSize(string? text, out WalSegmentSize size, out string error)
    {
        size = WalSegmentSize.Default;
        error = "";
        if (text is null)
            return true;
        try
        {
            size = text.Length > 0 && text.All(char.IsAsciiDigit) ? WalSegmentSize.Parse(text + "MB") : WalSegmentSize.Parse(text);
            return true;
        }
        catch (FormatException)
        {
            error = $"--wal-segsize \"{text}\" is not a WAL segment size: give a power of two from 1 to 1024 MB, like 16 or 16MB " +
                "(what SHOW wal_segment_size prints)";
            return false;
        }
    }

    private static LsnJsonLocation ToJson(LsnLocation at) => new(at.Lsn.ToString(), at.Timeline, at.SegmentSize.Bytes, at.FileName,
        at.Offset, at.First.ToString(), at.Last.ToString(), at.EndingFileName);

    private static LsnJsonFile ToJson(WalFileRange r) => new(r.FileName, r.Timeline, r.SegmentSize.Bytes, r.Segment, r.First.ToString(), r.Last.ToString());

    private static string NotTwoLsns(string value) =>
        $"two values are two LSNs, like 0/16B3748, whose difference is printed; \"{value}\" is not one";

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"walreceiver: error: {message}");
        error.WriteLine("walreceiver: hint: Try \"walreceiver lsn --help\" for more information.");
        return ExitCodes.Usage;
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace WalReceiver.Diagnostics;

/// <summary>
/// Every instrument, declared in one place. Names and units follow the OpenTelemetry conventions
/// (https://opentelemetry.io/docs/specs/semconv/general/metrics/): lowercase dotted names, UCUM units, no _total.
/// Tagged by <c>walreceiver.source</c> (the configured source name) and, for errors, <c>error.type</c>; never by LSN or
/// file name, which would be unbounded.
/// </summary>
internal sealed class WalReceiverMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "WalReceiver";

    /// <summary>The tag that names the source.</summary>
    public const string SourceTag = "walreceiver.source";

    private readonly Counter<long> _received;
    private readonly Counter<long> _flushed;
    private readonly Counter<long> _segments;
    private readonly Histogram<double> _fsync;
    private readonly Counter<long> _reconnects;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _verificationFailures;
    private readonly Counter<long> _recordsVerified;
    private readonly Histogram<double> _uploadDuration;
    private readonly Counter<long> _uploadedBytes;
    private readonly Counter<long> _uploadFailures;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public WalReceiverMetrics(IMeterFactory meterFactory, SourceRegistry sources)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName, "1.0");
        _received = meter.CreateCounter<long>("walreceiver.wal.received", "By", "WAL bytes received from the server.");
        _flushed = meter.CreateCounter<long>("walreceiver.wal.flushed", "By", "WAL bytes made durable in the archive (fsynced).");
        _segments = meter.CreateCounter<long>("walreceiver.segment.completed", "{segment}", "Segment files completed and renamed.");
        _fsync = meter.CreateHistogram<double>("walreceiver.fsync.duration", "s", "Time spent in fsync of WAL files.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
        _reconnects = meter.CreateCounter<long>("walreceiver.reconnects", "{reconnect}", "Connection attempts after a lost or failed one.");
        _errors = meter.CreateCounter<long>("walreceiver.errors", "{error}", "Failures of streaming attempts, by error.type.");
        _verificationFailures = meter.CreateCounter<long>("walreceiver.verification.failures", "{failure}",
            "WAL received with a bad page header or record CRC (never archived as complete nor reported flushed).");
        _recordsVerified = meter.CreateCounter<long>("walreceiver.verification.records", "{record}", "WAL records whose CRC-32C was checked as they arrived.");
        _uploadDuration = meter.CreateHistogram<double>("walreceiver.upload.duration", "s",
            "Time to upload one completed file to the bucket (hashing, the existence check and the PUT).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _uploadedBytes = meter.CreateCounter<long>("walreceiver.upload.bytes", "By", "Bytes of completed files uploaded to the bucket.");
        _uploadFailures = meter.CreateCounter<long>("walreceiver.upload.failures", "{failure}",
            "Failed uploads to the bucket, each attempt counted, by error.type (conflict: an object with other content is there).");
        meter.CreateObservableGauge("walreceiver.upload.backlog", () => Each(sources, s => s.UploadBacklogFiles), "{file}",
            "Completed files not in the bucket yet (waiting, being uploaded, or refused).");
        meter.CreateObservableGauge("walreceiver.upload.backlog.size", () => Each(sources, s => s.UploadBacklogBytes), "By",
            "The bytes of the files not in the bucket yet.");
        meter.CreateObservableGauge("walreceiver.lag", () => Each(sources, s => s.LagBytes), "By",
            "The server's end of WAL minus the archive's flushed position.");
        meter.CreateObservableGauge("walreceiver.flushed.age", () => Each(sources, s => s.FlushAgeSeconds), "s",
            "Age of the oldest WAL the server has and the archive has not flushed: 0 while caught up.");
        meter.CreateObservableGauge("walreceiver.slot.retained", () => Each(sources, s => s.SlotRetainedBytes), "By",
            "WAL the server keeps for the source's slot (its end minus the slot's restart_lsn).");
        meter.CreateObservableGauge("walreceiver.slot.wal_status", () => SlotStatuses(sources), "{slot}",
            "1 for the slot's current wal_status (reserved, extended, unreserved, lost), tagged by it.");
        meter.CreateObservableGauge("walreceiver.source.up", () => Each(sources, s => (long?)(s.Status == SourceStatus.Streaming ? 1 : 0)),
            "{source}", "1 while the source is streaming, else 0.");
    }

    /// <summary>Counts received bytes.</summary>
    public void Received(string source, long bytes) => _received.Add(bytes, new KeyValuePair<string, object?>(SourceTag, source));

    /// <summary>Counts flushed bytes.</summary>
    public void Flushed(string source, long bytes)
    {
        if (bytes > 0)
            _flushed.Add(bytes, new KeyValuePair<string, object?>(SourceTag, source));
    }

    /// <summary>Counts a completed segment.</summary>
    public void SegmentCompleted(string source) => _segments.Add(1, new KeyValuePair<string, object?>(SourceTag, source));

    /// <summary>Records an fsync's duration.</summary>
    public void Fsync(string source, TimeSpan duration) => _fsync.Record(duration.TotalSeconds, new KeyValuePair<string, object?>(SourceTag, source));

    /// <summary>Counts WAL that failed verification.</summary>
    public void VerificationFailed(string source) => _verificationFailures.Add(1, new KeyValuePair<string, object?>(SourceTag, source));

    /// <summary>Counts records whose CRC was checked.</summary>
    public void RecordsVerified(string source, long records)
    {
        if (records > 0)
            _recordsVerified.Add(records, new KeyValuePair<string, object?>(SourceTag, source));
    }

    /// <summary>Records an upload's duration and size.</summary>
    public void ObjectUploaded(string source, TimeSpan duration, long bytes)
    {
        var tag = new KeyValuePair<string, object?>(SourceTag, source);
        _uploadDuration.Record(duration.TotalSeconds, tag);
        _uploadedBytes.Add(bytes, tag);
    }

    /// <summary>Counts a failed upload attempt.</summary>
    public void UploadFailed(string source, string errorType) => _uploadFailures.Add(1, new TagList
    {
        { SourceTag, source },
        { "error.type", errorType },
    });

    /// <summary>Counts a reconnect.</summary>
    public void Reconnect(string source) => _reconnects.Add(1, new KeyValuePair<string, object?>(SourceTag, source));

    /// <summary>Counts a failure by kind.</summary>
    public void Error(string source, FailureKind kind) => _errors.Add(1, new TagList
    {
        { SourceTag, source },
        { "error.type", kind.ToString() },
    });

    private static IEnumerable<Measurement<long>> SlotStatuses(SourceRegistry sources)
    {
        foreach (var s in sources.All)
        {
            if (s.SlotWalStatus is { } status)
                yield return new Measurement<long>(1, new KeyValuePair<string, object?>(SourceTag, s.Name), new KeyValuePair<string, object?>("wal_status", status));
        }
    }

    private static IEnumerable<Measurement<T>> Each<T>(SourceRegistry sources, Func<SourceState, T?> read)
        where T : struct
    {
        foreach (var s in sources.All)
        {
            if (read(s) is { } value)
                yield return new Measurement<T>(value, new KeyValuePair<string, object?>(SourceTag, s.Name));
        }
    }
}

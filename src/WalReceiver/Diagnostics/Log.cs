using Microsoft.Extensions.Logging;
using WalReceiver.Wal;

namespace WalReceiver.Diagnostics;

/// <summary>Every log message of the library, in one place (source-generated, no boxing).</summary>
internal static partial class Log
{
    [LoggerMessage(EventIds.Connected, LogLevel.Debug,
        "connected to PostgreSQL {ServerVersion}: system identifier {SystemId}, timeline {Timeline}, WAL at {XLogPos}, segment size {SegmentSize}")]
    public static partial void Connected(ILogger logger, Version serverVersion, ulong systemId, uint timeline, Lsn xLogPos, WalSegmentSize segmentSize);

    [LoggerMessage(EventIds.StartingStream, LogLevel.Information, "starting log streaming at {Lsn} (timeline {Timeline}), from {Source}")]
    public static partial void StartingStream(ILogger logger, Lsn lsn, uint timeline, string source);

    [LoggerMessage(EventIds.StreamEnded, LogLevel.Information, "the server ended the replication stream at {Lsn} (timeline {Timeline}); planning again")]
    public static partial void StreamEnded(ILogger logger, Lsn lsn, uint timeline);

    [LoggerMessage(EventIds.EndPositionReached, LogLevel.Information, "stopped log streaming at {Lsn} (timeline {Timeline}): end position {EndPosition} reached")]
    public static partial void EndPositionReached(ILogger logger, Lsn lsn, uint timeline, Lsn endPosition);

    [LoggerMessage(EventIds.StopRequested, LogLevel.Information, "stopped log streaming at {Lsn} (timeline {Timeline}) as asked")]
    public static partial void Stopped(ILogger logger, Lsn lsn, uint timeline);

    [LoggerMessage(EventIds.RemoteWriteUnsafe, LogLevel.Warning,
        "the server waits for this receiver under synchronous_commit = remote_write, but the write position it sees is the server's own " +
        "end of WAL (Npgsql reports it), not what is on our disk: commits may return before their WAL reaches the archive. " +
        "Use synchronous_commit = on with --synchronous")]
    public static partial void RemoteWriteUnsafe(ILogger logger);

    [LoggerMessage(EventId = EventIds.SegmentCompleted, Message = "finished segment {FileName} at {Lsn} (timeline {Timeline})")]
    public static partial void SegmentCompleted(ILogger logger, LogLevel level, string fileName, Lsn lsn, uint timeline);

    [LoggerMessage(EventIds.PartialKept, LogLevel.Information, "not renaming \"{FileName}\", segment is not complete (written up to {Lsn})")]
    public static partial void PartialKept(ILogger logger, string fileName, Lsn lsn);

    [LoggerMessage(EventIds.TargetIndexNotWritten, LogLevel.Warning,
        "the recovery target index of segment {FileName} was not written ({Message}); walreceiver verify writes it from the WAL")]
    public static partial void TargetIndexNotWritten(ILogger logger, string fileName, string message);

    [LoggerMessage(EventIds.TargetIndexSkipped, LogLevel.Debug, "no recovery target index for segment {FileName}: {Reason}")]
    public static partial void TargetIndexSkipped(ILogger logger, string fileName, string reason);

    [LoggerMessage(EventIds.ObjectUploaded, LogLevel.Debug, "uploaded {FileName} to {Location} in {Milliseconds} ms")]
    public static partial void ObjectUploaded(ILogger logger, string fileName, string location, long milliseconds);

    [LoggerMessage(EventIds.UploadFailed, LogLevel.Warning, "could not upload {FileName} (attempt {Attempt}; trying again in {Seconds:0.#} s): {Message}")]
    public static partial void UploadFailed(ILogger logger, string fileName, int attempt, double seconds, string message);

    [LoggerMessage(EventIds.UploadConflict, LogLevel.Error, "{Message}")]
    public static partial void UploadConflict(ILogger logger, string message);

    [LoggerMessage(EventIds.UploadRefused, LogLevel.Error, "{Message}")]
    public static partial void UploadRefused(ILogger logger, string message);

    [LoggerMessage(EventIds.UploadsLeft, LogLevel.Warning, "{Count} files are not uploaded yet; they are uploaded at the next start")]
    public static partial void UploadsLeft(ILogger logger, int count);

    [LoggerMessage(EventIds.UploadedSynchronousStandby, LogLevel.Warning,
        "synchronous standby with --durability uploaded: each commit waits until its segment is complete and in the bucket, which for a segment that is not full is at the server's archive_timeout; use --durability local for a synchronous standby")]
    public static partial void UploadedSynchronousStandby(ILogger logger);

    [LoggerMessage(EventIds.UploadSourceMissing, LogLevel.Error,
        "{FileName} was removed from the archive before it was uploaded ({Message}); the bucket lacks it until it is put back in the archive directory and the receiver restarted")]
    public static partial void UploadSourceMissing(ILogger logger, string fileName, string message);

    [LoggerMessage(EventIds.TornObjectReplaced, LogLevel.Warning,
        "replaced {Location}/{FileName}, a shorter object (ETag {ETag}) holding only the start of the file: an earlier upload of it cut short")]
    public static partial void TornObjectReplaced(ILogger logger, string location, string fileName, string etag);

    [LoggerMessage(EventIds.LocalCopyRemoved, LogLevel.Debug, "removed the local copy of {FileName}: it is in the bucket and older than the segments kept")]
    public static partial void LocalCopyRemoved(ILogger logger, string fileName);

    [LoggerMessage(EventIds.LocalCopyNotRemoved, LogLevel.Warning, "could not remove the local copy of {FileName}, which is in the bucket: {Message}")]
    public static partial void LocalCopyNotRemoved(ILogger logger, string fileName, string message);

    [LoggerMessage(EventIds.SkippedBadSegment, LogLevel.Warning, "segment file \"{FileName}\" has incorrect size {Length}, skipping")]
    public static partial void SkippedBadSegment(ILogger logger, string fileName, long length);

    [LoggerMessage(EventIds.SlotStillHeld, LogLevel.Debug, "the slot is still held, most likely by the connection that just ended; trying again: {Message}")]
    public static partial void SlotStillHeld(ILogger logger, string message);

    [LoggerMessage(EventIds.AttemptFailed, LogLevel.Error, "{Message}")]
    public static partial void AttemptFailed(ILogger logger, string message);

    [LoggerMessage(EventIds.Reconnecting, LogLevel.Information, "disconnected; trying again in {Delay} s")]
    public static partial void Reconnecting(ILogger logger, double delay);

    [LoggerMessage(EventIds.FatalError, LogLevel.Critical, "{Message}")]
    public static partial void FatalError(ILogger logger, string message);

    [LoggerMessage(EventIds.UnexpectedError, LogLevel.Critical, "unexpected error, please report it")]
    public static partial void UnexpectedError(ILogger logger, Exception exception);

    [LoggerMessage(EventIds.StatusUpdateFailed, LogLevel.Debug, "could not send a status update: {Message}")]
    public static partial void StatusUpdateFailed(ILogger logger, string message);

    [LoggerMessage(EventIds.TraceXLogData, LogLevel.Information, "trace XLogData start {Start} end {End} length {Length} server end {ServerEnd}")]
    public static partial void TraceXLogData(ILogger logger, Lsn start, Lsn end, int length, Lsn serverEnd);

    [LoggerMessage(EventIds.TraceKeepalive, LogLevel.Information, "trace keepalive server end {ServerEnd} sent {SentAt} reply requested {ReplyRequested}")]
    public static partial void TraceKeepalive(ILogger logger, Lsn serverEnd, string sentAt, string replyRequested);

    [LoggerMessage(EventIds.TraceStatusUpdate, LogLevel.Information, "trace status update write {Write} flush {Flush} apply {Apply} ({Reason})")]
    public static partial void TraceStatusUpdate(ILogger logger, Lsn write, Lsn flush, Lsn apply, string reason);

    [LoggerMessage(EventIds.AttemptSummary, LogLevel.Debug,
        "attempt streamed {Bytes} bytes; process allocations so far {Allocated} bytes, gen0 collections {Gen0}")]
    public static partial void AttemptSummary(ILogger logger, ulong bytes, long allocated, int gen0);

    [LoggerMessage(EventIds.HistoryFileWritten, LogLevel.Information, "wrote timeline history file \"{FileName}\"")]
    public static partial void HistoryFileWritten(ILogger logger, string fileName);

    [LoggerMessage(EventIds.SlotCreated, LogLevel.Warning,
        "replication slot \"{Slot}\" did not exist on {Host}: created it, reserving WAL from now on")]
    public static partial void SlotCreated(ILogger logger, string slot, string host);

    [LoggerMessage(EventIds.CatchingUp, LogLevel.Information,
        "catching up: {BehindMb:F1} MB behind the server, receiving {RateMb:F1} MB/s, about {SecondsLeft:F0} s left")]
    public static partial void CatchingUp(ILogger logger, double behindMb, double rateMb, double secondsLeft);

    [LoggerMessage(EventIds.SlotMonitorFailed, LogLevel.Debug, "could not read slot \"{Slot}\" from pg_replication_slots: {Message}")]
    public static partial void SlotMonitorFailed(ILogger logger, string slot, string message);
}

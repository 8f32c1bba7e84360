namespace WalReceiver.Diagnostics;

/// <summary>Event ids of every log message, grouped by hundreds: 1xx streaming, 2xx storage, 3xx supervision, 4xx object storage.</summary>
internal static class EventIds
{
    public const int Connected = 100;
    public const int StartingStream = 101;
    public const int StreamEnded = 102;
    public const int EndPositionReached = 103;
    public const int StopRequested = 104;
    public const int RemoteWriteUnsafe = 105;
    public const int StatusUpdateFailed = 106;
    public const int AttemptSummary = 107;
    public const int SlotCreated = 108;
    public const int CatchingUp = 109;
    public const int SlotMonitorFailed = 110;
    public const int TraceXLogData = 120;
    public const int TraceKeepalive = 121;
    public const int TraceStatusUpdate = 122;
    public const int SegmentCompleted = 200;
    public const int PartialKept = 201;
    public const int SkippedBadSegment = 202;
    public const int HistoryFileWritten = 203;
    public const int TargetIndexNotWritten = 204;
    public const int TargetIndexSkipped = 205;
    public const int AttemptFailed = 300;
    public const int Reconnecting = 301;
    public const int FatalError = 302;
    public const int UnexpectedError = 303;
    public const int SlotStillHeld = 304;
    public const int ObjectUploaded = 400;
    public const int UploadFailed = 401;
    public const int UploadConflict = 402;
    public const int UploadsLeft = 403;
    public const int LocalCopyRemoved = 404;
    public const int LocalCopyNotRemoved = 405;
    public const int UploadedSynchronousStandby = 406;
    public const int UploadSourceMissing = 407;
    public const int UploadRefused = 408;
    public const int TornObjectReplaced = 409;
}

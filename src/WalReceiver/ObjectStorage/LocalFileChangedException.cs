namespace WalReceiver.ObjectStorage;

/// <summary>
/// A local archive file no longer has the SHA-256 its manifest line recorded when it was completed: it rotted or was
/// changed on disk, so it is not uploaded (a retry would read the same bytes).
/// </summary>
internal sealed class LocalFileChangedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LocalFileChangedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public LocalFileChangedException()
        : base("the local file differs from its manifest line")
    {
    }

    /// <summary>Creates the exception with the failure that revealed it.</summary>
    public LocalFileChangedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

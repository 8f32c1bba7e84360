namespace WalReceiver.ObjectStorage;

/// <summary>The bucket already holds an object of that name with other content: it is never overwritten.</summary>
internal sealed class ObjectConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ObjectConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public ObjectConflictException()
        : base("the object exists with other content")
    {
    }

    /// <summary>Creates the exception with the failure that revealed it.</summary>
    public ObjectConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

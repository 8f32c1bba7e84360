namespace WalReceiver.Storage;

/// <summary>
/// Permissions for files and directories the archive creates: 0600/0700, or 0640/0750 when the server's
/// <c>data_directory_mode</c> allows group access (as pg_receivewal does).
/// </summary>
internal sealed record ArchiveFileModes(UnixFileMode File, UnixFileMode Directory)
{
    /// <summary>Owner only.</summary>
    public static readonly ArchiveFileModes OwnerOnly = new(
        UnixFileMode.UserRead | UnixFileMode.UserWrite,
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

    /// <summary>Owner, plus read for the group.</summary>
    public static readonly ArchiveFileModes GroupRead = new(
        OwnerOnly.File | UnixFileMode.GroupRead,
        OwnerOnly.Directory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);

    /// <summary>Chooses the modes from <c>SHOW data_directory_mode</c> (octal text such as <c>0750</c>).</summary>
    public static ArchiveFileModes FromDataDirectoryMode(string? mode) =>
        mode is not null && mode.Length >= 2 && mode[^2] is '5' or '7' ? GroupRead : OwnerOnly;
}

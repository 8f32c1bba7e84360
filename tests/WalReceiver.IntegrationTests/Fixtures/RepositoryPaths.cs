namespace WalReceiver.IntegrationTests.Fixtures;

/// <summary>Files of the checkout the tests were built from (scripts, packaging), found above the test binaries.</summary>
public static class RepositoryPaths
{
    /// <summary>The directory that holds WalReceiver.sln.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "WalReceiver.sln")))
                dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("WalReceiver.sln not found above the test binaries");
        }
    }
}

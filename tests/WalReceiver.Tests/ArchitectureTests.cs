namespace WalReceiver.Tests;

public sealed class ArchitectureTests
{
    [Fact]
    public void Only_the_Replication_folder_uses_Npgsql()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "WalReceiver.sln")))
            dir = dir.Parent;
        Assert.NotNull(dir);
        var library = Path.Combine(dir.FullName, "src", "WalReceiver");
        var files = Directory.GetFiles(library, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(files);
        var offenders = files.Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Replication{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            && File.ReadLines(f).Select(l => l.Trim()).Any(l => !l.StartsWith("//", StringComparison.Ordinal)
                && (l.StartsWith("using Npgsql", StringComparison.Ordinal) || l.Contains("Npgsql.", StringComparison.Ordinal))));
        Assert.Empty(offenders);
    }
}

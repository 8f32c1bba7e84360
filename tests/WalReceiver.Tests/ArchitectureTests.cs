using System.Text.RegularExpressions;

namespace WalReceiver.Tests;

/// <summary>
/// The library's folders form a one-way chain: Wal ← Diagnostics ← Storage / Replication ← ObjectStorage (on Storage) ←
/// Hosting. Pure arithmetic
/// knows nothing; the disk and the wire protocol know the arithmetic and how to report failures, never each other; only
/// the hosting layer puts them together. Checked for every ordered pair of folders, from the source text.
/// </summary>
public sealed partial class ArchitectureTests
{
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Wal"] = [],
        ["Diagnostics"] = ["Wal"],
        ["Storage"] = ["Wal", "Diagnostics"],
        ["Replication"] = ["Wal", "Diagnostics"],
        ["ObjectStorage"] = ["Wal", "Diagnostics", "Storage"],
        ["Hosting"] = ["Wal", "Diagnostics", "Storage", "Replication", "ObjectStorage"],
    };

    public static TheoryData<string, string> ForbiddenPairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var (from, allowed) in Allowed)
        {
            foreach (var to in Allowed.Keys.Where(t => t != from && !allowed.Contains(t)))
                data.Add(from, to);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ForbiddenPairs))]
    public void Folder_does_not_use_a_folder_later_in_the_chain(string from, string to)
    {
        var reference = new Regex($@"\bWalReceiver\.{to}\b");
        var offenders = SourceFiles(from).Where(f => CodeLines(f).Any(l => reference.IsMatch(l))).ToList();
        Assert.True(offenders.Count == 0, $"{from}/ must not use {to}/: {string.Join(", ", offenders.Select(Path.GetFileName))}");
    }

    [Fact]
    public void Every_folder_of_the_library_has_a_place_in_the_chain()
    {
        var folders = Directory.GetDirectories(Library).Select(Path.GetFileName).OfType<string>()
            .Where(d => d is not ("obj" or "bin" or "Properties"));
        Assert.All(folders, f => Assert.True(Allowed.ContainsKey(f), $"src/WalReceiver/{f} is not in the dependency chain of {nameof(ArchitectureTests)}"));
        Assert.Empty(Directory.GetFiles(Library, "*.cs"));
    }

    [Fact]
    public void Only_the_ObjectStorage_folder_uses_the_AWS_SDK()
    {
        var aws = new Regex(@"\bAmazon\.");
        var offenders = Allowed.Keys.Where(f => f != "ObjectStorage").SelectMany(SourceFiles)
            .Where(f => CodeLines(f).Any(l => aws.IsMatch(l))).ToList();
        Assert.True(offenders.Count == 0, $"the AWS SDK used outside ObjectStorage/: {string.Join(", ", offenders.Select(Path.GetFileName))}");
        Assert.Contains(SourceFiles("ObjectStorage"), f => CodeLines(f).Any(l => aws.IsMatch(l))); // the check can see a use
    }

    [Fact]
    public void Only_the_Replication_folder_uses_Npgsql()
    {
        var npgsql = NpgsqlReference();
        var offenders = Allowed.Keys.Where(f => f != "Replication").SelectMany(SourceFiles)
            .Where(f => CodeLines(f).Any(l => npgsql.IsMatch(l))).ToList();
        Assert.True(offenders.Count == 0, $"Npgsql used outside Replication/: {string.Join(", ", offenders.Select(Path.GetFileName))}");
        Assert.Contains(SourceFiles("Replication"), f => CodeLines(f).Any(l => npgsql.IsMatch(l))); // the check can see a use
    }

    [Fact]
    public void The_check_sees_a_forbidden_use()
    {
        var reference = new Regex(@"\bWalReceiver\.Diagnostics\b");
        Assert.Contains(SourceFiles("Storage"), f => CodeLines(f).Any(l => reference.IsMatch(l)));
    }

    private static string Library
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "WalReceiver.sln")))
                dir = dir.Parent;
            Assert.NotNull(dir);
            return Path.Combine(dir.FullName, "src", "WalReceiver");
        }
    }

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.GetFiles(Path.Combine(Library, folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    // Comments and XML docs may name other folders (a cref to explain a contract); code may not.
    private static IEnumerable<string> CodeLines(string file) =>
        File.ReadLines(file).Select(l => l.Trim()).Where(l => !l.StartsWith("//", StringComparison.Ordinal));

    [GeneratedRegex(@"^using Npgsql|\bNpgsql\.")]
    private static partial Regex NpgsqlReference();
}

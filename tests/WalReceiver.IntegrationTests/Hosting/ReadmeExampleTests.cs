using WalReceiver.IntegrationTests.Fixtures;

namespace WalReceiver.IntegrationTests.Hosting;

/// <summary>The README's xunit example is the file ReadmeExample.cs, which runs in this suite; the README must show it as it is.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task The_README_shows_the_example_that_runs_in_the_suite()
    {
        var ct = TestContext.Current.CancellationToken;
        var source = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "tests", "WalReceiver.IntegrationTests", "Hosting", "ReadmeExample.cs"), ct);
        const string Begin = "// README example begins\n", End = "// README example ends";
        var start = source.IndexOf(Begin, StringComparison.Ordinal) + Begin.Length;
        var example = source[start..source.IndexOf(End, StringComparison.Ordinal)];
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "README.md"), ct);

        Assert.True(example.Length > 500, "the markers were not found in ReadmeExample.cs");
        Assert.Contains("```csharp\n" + example + "```", readme, StringComparison.Ordinal);
    }
}

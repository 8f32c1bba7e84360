using System.Globalization;
using System.IO.Compression;
using System.Xml.Linq;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;

namespace WalReceiver.IntegrationTests.Packaging;

/// <summary>
/// The two NuGet packages as a user gets them: packed with <c>dotnet pack</c>, referenced from a local feed by a new xunit
/// project outside this repository, and the README's example run there against a real server.
/// </summary>
public sealed class NuGetPackageTests
{
    private static readonly TimeSpan DotnetTimeout = TimeSpan.FromMinutes(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Packages_carry_docs_and_readme_and_the_README_example_passes_in_a_project_that_references_them()
    {
        Prerequisites.Require(PostgresCluster.FindMissingPrerequisite(new PostgresClusterOptions()) is null, "PostgreSQL binaries or Docker for the example");
        // A version of its own: the user-wide NuGet cache never serves a package packed by an earlier run.
        var version = string.Create(CultureInfo.InvariantCulture, $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}");
        var root = CliTestSupport.CreateDirectory(Path.GetTempPath(), "nuget");
        var feed = Path.Combine(root, "feed");
        try
        {
            foreach (var project in (string[])["WalReceiver", "WalReceiver.Testing"])
            {
                await DotnetAsync(root, "pack", Path.Combine(RepositoryPaths.Root, "src", project, project + ".csproj"), "-c", "Release", "--no-build",
                    "-o", feed, $"-p:Version={version}");
            }

            AssertPackage(Path.Combine(feed, $"WalReceiver.{version}.nupkg"), "lib/net10.0/WalReceiver.Core.dll", "lib/net10.0/WalReceiver.Core.xml");
            var testing = AssertPackage(Path.Combine(feed, $"WalReceiver.Testing.{version}.nupkg"), "lib/net10.0/WalReceiver.Testing.dll",
                "lib/net10.0/WalReceiver.Testing.xml");
            Assert.Contains(testing.Descendants().Where(e => e.Name.LocalName == "dependency"),
                d => (string?)d.Attribute("id") == "WalReceiver" && (string?)d.Attribute("version") == version);

            var consumer = Path.Combine(root, "consumer");
            Directory.CreateDirectory(consumer);
            await File.WriteAllTextAsync(Path.Combine(consumer, "Consumer.Tests.csproj"), ConsumerProject(version), Ct);
            await File.WriteAllTextAsync(Path.Combine(consumer, "nuget.config"),
                $"<configuration><packageSources><add key=\"local\" value=\"{feed}\" /></packageSources></configuration>", Ct);
            var source = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "tests", "WalReceiver.IntegrationTests", "Hosting", "ReadmeExample.cs"), Ct);
            await File.WriteAllTextAsync(Path.Combine(consumer, "ExampleTests.cs"), source, Ct);

            var output = await DotnetAsync(consumer, "test", "-c", "Release");
            Assert.Contains("Passed:     1", output, StringComparison.Ordinal);
            Assert.Contains("Failed:     0", output, StringComparison.Ordinal);
        }
        finally
        {
            CliTestSupport.DeleteDirectory(root);
            var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            CliTestSupport.DeleteDirectory(Path.Combine(cache, "walreceiver", version));
            CliTestSupport.DeleteDirectory(Path.Combine(cache, "walreceiver.testing", version));
        }
    }

    private static XDocument AssertPackage(string path, params string[] entries)
    {
        using var zip = ZipFile.OpenRead(path);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in entries.Append("README.md"))
            Assert.Contains(entry, names);
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        return XDocument.Load(stream);
    }

    // Outside the repository, so none of its Directory.Build.props or central package versions apply: a user's project.
    private static string ConsumerProject(string version) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <OutputType>Exe</OutputType>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.0.1" />
            <PackageReference Include="xunit.v3" Version="3.2.2" />
            <PackageReference Include="xunit.runner.visualstudio" Version="3.1.5" />
            <PackageReference Include="WalReceiver" Version="{version}" />
            <PackageReference Include="WalReceiver.Testing" Version="{version}" />
            <Using Include="Xunit" />
          </ItemGroup>
        </Project>
        """;

    private static Task<string> DotnetAsync(string workingDirectory, params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [.. args, "-nodeReuse:false"], asServerAccount: false, Ct, workingDirectory, DotnetTimeout);
}

using System.Diagnostics.CodeAnalysis;

namespace WalReceiver.IntegrationTests.Fixtures;

/// <summary>
/// Decides what a missing external prerequisite (PostgreSQL binaries, a Docker engine) means for a test:
/// a skip on a developer's machine, a failure in CI, where a silently skipped suite would look green.
/// </summary>
public static class Prerequisites
{
    /// <summary>True when the environment variable CI is "true" (any case), as CI runners set it.</summary>
    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns when <paramref name="condition"/> holds; otherwise skips the test, or fails it in CI.</summary>
    /// <param name="condition">Whether the prerequisite is present.</param>
    /// <param name="what">What is missing, in words a person can act on.</param>
    public static void Require([DoesNotReturnIf(false)] bool condition, string what)
    {
        if (condition)
        {
            return;
        }

        if (IsCi)
        {
            throw new InvalidOperationException($"Missing test prerequisite: {what} (CI=true, so this fails instead of skipping).");
        }

        Assert.Skip($"Missing test prerequisite: {what}");
    }
}

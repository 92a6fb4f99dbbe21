using System.Linq;
using System.Reflection;

namespace MotivationDsl.Generators;

/// <summary>
/// Help links of the diagnostics: <c>{RepositoryUrl}/blob/main/docs/diagnostics.md#mot0nn</c>, where RepositoryUrl is the
/// one MSBuild property (Directory.Build.props) that is also the package's repository URL; the build stamps it on this
/// assembly. The page ships in the package too (<c>docs/diagnostics.md</c>).
/// </summary>
public static class HelpLinks
{
    /// <summary>The repository URL this generator was built with (no trailing slash); empty when none was set.</summary>
    public static string RepositoryUrl { get; } =
        (typeof(HelpLinks).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepositoryUrl")?.Value ?? "")
        .TrimEnd('/');

    /// <summary>The page every diagnostic is documented on, relative to the repository and to the package.</summary>
    public const string Page = "docs/diagnostics.md";

    /// <summary>The help link of diagnostic <paramref name="id"/>, or null without a repository URL (no dead link).</summary>
    public static string? For(string id) =>
        RepositoryUrl.Length == 0 ? null : RepositoryUrl + "/blob/main/" + Page + "#" + id.ToLowerInvariant();
}

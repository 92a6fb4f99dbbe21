using System.Text.RegularExpressions;
using Xunit;

namespace MotivationDsl.Generators.Tests;

public class HelpLinkTests
{
    private static string RepoFile(string relative, [System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "..", relative);

    [Fact]
    public void EveryHelpLinkDerivesFromTheRepositoryUrlAndNamesAHeadingOfTheShippedPage()
    {
        // The build stamps Directory.Build.props' RepositoryUrl on the generator; the package ships docs/diagnostics.md.
        var props = File.ReadAllText(RepoFile("Directory.Build.props"));
        var url = Regex.Match(props, "<RepositoryUrl[^>]*>([^<]+)</RepositoryUrl>").Groups[1].Value.TrimEnd('/');
        Assert.Equal(url, HelpLinks.RepositoryUrl);
        Assert.Contains("docs/diagnostics.md\" Pack=\"true\" PackagePath=\"docs/diagnostics.md\"",
            File.ReadAllText(RepoFile("src/MotivationDsl/MotivationDsl.csproj")));
        var headings = Regex.Matches(File.ReadAllText(RepoFile(HelpLinks.Page)), "^## (MOT\\d{3})", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value.ToLowerInvariant()).ToHashSet();
        foreach (var d in DiagnosticDescriptors.All)
        {
            Assert.Equal($"{url}/blob/main/docs/diagnostics.md#{d.Id.ToLowerInvariant()}", d.HelpLinkUri);
            Assert.Contains(d.Id.ToLowerInvariant(), headings);
        }
    }
}

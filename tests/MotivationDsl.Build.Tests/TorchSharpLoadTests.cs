using TorchSharp;
using Xunit;

namespace MotivationDsl.Build.Tests;

/// <summary>
/// The real thing: this test project's own build ran MotivationDslFixLibTorchSharp on its output folder, so this
/// process can load TorchSharp even where libstdc++ stops at GLIBCXX_3.4.30 (Debian 12), while the NuGet cache's
/// copy (hard-linked into the output before the fix) is left exactly as the package shipped it.
/// </summary>
public class TorchSharpLoadTests
{
    private static string OutputLibrary =>
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static bool HostHas3432 =>
        HostLibStdCxx.Find() is { } host && HostLibStdCxx.Defines(host, "GLIBCXX_3.4.32");

    [LinuxFact]
    public void TestProcess_LoadsTorchSharp()
    {
        using var sum = torch.ones(2).sum();
        Assert.Equal(2f, sum.item<float>());
    }

    [LinuxFact]
    public void OutputCopy_IsFixed_AndNuGetCacheCopy_IsUnchanged()
    {
        Assert.True(File.Exists(OutputLibrary), $"missing {OutputLibrary}");
        var output = ElfVersionNeedPatcher.NeededVersions(File.ReadAllBytes(OutputLibrary));
        if (File.Exists(Repo.CachedLibTorchSharp))
        {
            var cache = ElfVersionNeedPatcher.NeededVersions(File.ReadAllBytes(Repo.CachedLibTorchSharp));
            Assert.Contains("GLIBCXX_3.4.32", cache); // never written through the hard link
            Assert.Equal(new FileInfo(Repo.CachedLibTorchSharp).Length, new FileInfo(OutputLibrary).Length);
        }
        if (HostHas3432)
        {
            Assert.Contains("GLIBCXX_3.4.32", output); // nothing to fix on this host: left as shipped
        }
        else
        {
            Assert.DoesNotContain("GLIBCXX_3.4.32", output);
            Assert.Contains("GLIBCXX_3.4.30", output);
            // A separate file (never the cache's inode), with the package copy's time, so the next build's Copy
            // (SkipUnchangedFiles) keeps it instead of linking the original again.
            if (File.Exists(Repo.CachedLibTorchSharp))
                Assert.Equal(File.GetLastWriteTimeUtc(Repo.CachedLibTorchSharp), File.GetLastWriteTimeUtc(OutputLibrary));
        }
    }
}

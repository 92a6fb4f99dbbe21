// This test assembly declares a model the way the generator does, so its own build (in-repo targets, via
// Directory.Build.targets) writes BuildTestsSelf.motivation.json next to it: see ManifestTaskTests.
[assembly: MotivationDsl.GeneratedScalableModel(typeof(MotivationDsl.Build.Tests.SelfManifest), "BuildTestsSelf",
    MotivationDsl.Build.Tests.SelfManifest.Json)]

namespace MotivationDsl.Build.Tests;

public static class SelfManifest
{
    public const string Json = "{\"name\":\"BuildTestsSelf\",\"base\":\"Small\",\"motivated\":\"Large\",\"entries\":[]}";
}

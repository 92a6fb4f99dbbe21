using System.IO.Compression;
using System.Xml.Linq;
using Xunit;

namespace MotivationDsl.Build.Tests;

/// <summary>
/// Packs src/MotivationDsl once per test run, with a unique prerelease version (so the global NuGet packages folder,
/// shared with TorchSharp's 1.5 GB, never serves a stale MotivationDsl), into a temporary local feed.
/// The version's extracted copy is removed from the packages folder afterwards.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    private readonly Lazy<(string Feed, string Version, string Package)> _packed;

    public PackageFixture() => _packed = new Lazy<(string, string, string)>(Pack);

    public string Feed => _packed.Value.Feed;
    public string Version => _packed.Value.Version;
    public string Package => _packed.Value.Package;

    private static (string, string, string) Pack()
    {
        var version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "." + Environment.ProcessId;
        var feed = Repo.NewTempDirectory("feed");
        var result = DotNet.Msbuild(Repo.Root, "pack", Path.Combine(Repo.Root, "src", "MotivationDsl", "MotivationDsl.csproj"),
            "-c", Repo.Configuration, "-o", feed, "-p:PackageVersion=" + version, "-v:m",
            // Restored when this test project was built; restoring again would stamp the test version into obj/.
            "--no-restore");
        if (result.ExitCode != 0) throw new InvalidOperationException("dotnet pack failed: " + result);
        var package = Path.Combine(feed, $"MotivationDsl.{version}.nupkg");
        if (!File.Exists(package)) throw new InvalidOperationException($"dotnet pack did not produce {package}: {result}");
        return (feed, version, package);
    }

    public void Dispose()
    {
        if (!_packed.IsValueCreated) return;
        var extracted = Path.Combine(Repo.NuGetPackages, "motivationdsl");
        Repo.TryDelete(Path.Combine(extracted, Version.ToLowerInvariant()));
        try { if (Directory.Exists(extracted) && !Directory.EnumerateFileSystemEntries(extracted).Any()) Directory.Delete(extracted); }
        catch (IOException) { }
        Repo.TryDelete(Feed);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackageCollection : ICollectionFixture<PackageFixture>
{
    public const string Name = "MotivationDsl package";
}

[Collection(PackageCollection.Name)]
[Trait("Category", "E2E")]
public sealed class PackageE2ETests(PackageFixture package)
{
    // ------------------------------------------------------------------ layout

    [Fact]
    public void Package_HasRuntimeTasksTargetsAndGenerator_AndDependsOnTorchSharpCpuOnly()
    {
        using var zip = ZipFile.OpenRead(package.Package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();

        Assert.Contains("lib/net10.0/MotivationDsl.dll", entries);
        Assert.Contains("tasks/netstandard2.0/MotivationDsl.Build.dll", entries);
        Assert.Contains("build/MotivationDsl.targets", entries);
        Assert.Contains("buildTransitive/MotivationDsl.targets", entries);
        if (Repo.HasGenerator)
            Assert.Contains("analyzers/dotnet/cs/MotivationDsl.Generators.dll", entries);
        // Nothing of the tasks' or the generator's leaks into lib/ (they are not runtime references).
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && !e.StartsWith("lib/net10.0/MotivationDsl.", StringComparison.Ordinal));
        // Only our own task dll: MSBuild provides System.Reflection.Metadata/System.Text.Json.
        Assert.Equal(new[] { "tasks/netstandard2.0/MotivationDsl.Build.dll" }, entries.Where(e => e.StartsWith("tasks/", StringComparison.Ordinal)).ToArray());

        using (var reader = new StreamReader(zip.GetEntry("buildTransitive/MotivationDsl.targets")!.Open()))
            Assert.Contains("../build/MotivationDsl.targets", reader.ReadToEnd());

        XNamespace ns = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";
        XDocument nuspec;
        using (var s = zip.GetEntry("MotivationDsl.nuspec")!.Open()) nuspec = XDocument.Load(s);
        var dependencies = nuspec.Descendants(ns + "dependency").Select(d => ((string)d.Attribute("id")!, (string)d.Attribute("version")!)).ToArray();
        // System.IO.Hashing: the checksums of checkpoints and model files (MotivationDsl.Checksum).
        Assert.Equal(new[] { ("System.IO.Hashing", "10.0.15"), ("TorchSharp-cpu", "0.107.0") }, dependencies.Order().ToArray());
        Assert.Equal(package.Version, (string)nuspec.Descendants(ns + "version").Single());
    }

    [Fact]
    public void TorchBackendCuda_SwitchesTheDependencyToTorchSharpCudaLinux()
    {
        // Evaluation only: TorchSharp-cuda-linux is not served here, so the cuda package can't be restored or packed.
        var project = Path.Combine(Repo.Root, "src", "MotivationDsl", "MotivationDsl.csproj");
        var cuda = DotNet.Run(Repo.Root, TimeSpan.FromMinutes(2), "msbuild", project, "-nodeReuse:false",
            "-p:MotivationDslTorchBackend=cuda", "-getItem:PackageReference");
        var cpu = DotNet.Run(Repo.Root, TimeSpan.FromMinutes(2), "msbuild", project, "-nodeReuse:false", "-getItem:PackageReference");
        Assert.True(cuda.ExitCode == 0, cuda.ToString());
        Assert.True(cpu.ExitCode == 0, cpu.ToString());
        if (OperatingSystem.IsLinux()) Assert.Contains("\"TorchSharp-cuda-linux\"", cuda.Output);
        Assert.DoesNotContain("\"TorchSharp-cpu\"", cuda.Output);
        Assert.Contains("\"TorchSharp-cpu\"", cpu.Output);
    }

    [Fact]
    public void UnknownTorchBackend_FailsWithMOTB020()
    {
        var project = Path.Combine(Repo.Root, "src", "MotivationDsl", "MotivationDsl.csproj");
        var result = DotNet.Run(Repo.Root, TimeSpan.FromMinutes(2), "msbuild", project, "-nodeReuse:false", "-tl:off",
            "-t:CollectPackageReferences", "-p:MotivationDslTorchBackend=rocm");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("error MOTB020", result.Output);
    }

    // ------------------------------------------------------------------ as a user gets it

    /// <summary>A consumer project in a temp folder outside the repository, with its own nuget.config.</summary>
    private string NewConsumer(string name, string source)
    {
        var dir = Repo.NewTempDirectory("consumer-" + name.ToLowerInvariant());
        // Stops the search for Directory.Build.* / Directory.Packages.props above the temp folder.
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(dir, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(dir, "Directory.Packages.props"), "<Project />");
        // The temporary feed, plus whatever sources this machine already has (nuget.org here): no <clear/>.
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="motivationdsl-test-feed" value="{package.Feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(dir, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <!-- LibTorch is ~1.5 GB: hard-link it from the NuGet cache instead of copying it. -->
                <CreateHardLinksForCopyLocalIfPossible>true</CreateHardLinksForCopyLocalIfPossible>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="MotivationDsl" Version="[{package.Version}]" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), source);
        return dir;
    }

    private static ProcessResult BuildConsumer(string dir) => DotNet.Msbuild(dir, "build", "-c", "Debug", "-v:m");

    private static string ConsumerOutput(string dir) => Path.Combine(dir, "bin", "Debug", "net10.0");

    /// <summary>
    /// Works without the generator: a model declared by hand the way the generator declares it. Checks that the package's
    /// own targets and task run (manifest written, libLibTorchSharp.so fixed) and that the app loads TorchSharp.
    /// </summary>
    [Fact]
    public void Consumer_WithoutGenerator_BuildsWritesManifest_AndRunsTorchSharp()
    {
        var dir = NewConsumer("HandWritten", """
            using TorchSharp;
            [assembly: MotivationDsl.GeneratedScalableModel(typeof(Program), "HandWritten", "{\"name\":\"HandWritten\"}")]
            using var sum = torch.ones(2).sum();
            Console.WriteLine("sum=" + sum.item<float>());
            """);
        try
        {
            var build = BuildConsumer(dir);
            Assert.True(build.ExitCode == 0, build.ToString());
            Assert.Equal("{\"name\":\"HandWritten\"}", File.ReadAllText(Path.Combine(ConsumerOutput(dir), "HandWritten.motivation.json")));

            var lib = Path.Combine(ConsumerOutput(dir), "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            if (OperatingSystem.IsLinux() && File.Exists(Repo.CachedLibTorchSharp))
            {
                Assert.Contains("GLIBCXX_3.4.32", ElfVersionNeedPatcher.NeededVersions(File.ReadAllBytes(Repo.CachedLibTorchSharp)));
                if (HostLibStdCxx.Find() is { } host && !HostLibStdCxx.Defines(host, "GLIBCXX_3.4.32"))
                    Assert.DoesNotContain("GLIBCXX_3.4.32", ElfVersionNeedPatcher.NeededVersions(File.ReadAllBytes(lib)));
            }

            var run = DotNet.Run(dir, TimeSpan.FromMinutes(2), Path.Combine(ConsumerOutput(dir), "HandWritten.dll"));
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("sum=2", run.Output);
        }
        finally { Repo.TryDelete(dir); }
    }

    private const string TinyNet = """
        [ScalableModel(InputShape = new[] { 1, 8, 8 }, Classes = 3, Base = "Small", Motivated = "Large")]
        [Variant("Small", WidthMultiplier = 1)]
        [Variant("Large", WidthMultiplier = 2)]
        [Conv2d("conv1", 4, Kernel = 3, Padding = 1)]
        [BatchNorm2d("bn1")]
        [ReLU]
        [GlobalAvgPool]
        [Flatten]
        [Linear("fc")]
        public partial class TinyNet { }
        """;

    [RequiresGeneratorFact]
    public void Consumer_WithScalableModel_Builds_WritesManifest_AndRuns()
    {
        var dir = NewConsumer("TinyNetApp", $$"""
            using MotivationDsl;
            using TorchSharp;

            var pair = TinyNet.CreatePair();
            Console.WriteLine(pair.Base.call(torch.zeros(2, 1, 8, 8)).shape[1]);

            {{TinyNet}}
            """);
        try
        {
            var build = BuildConsumer(dir);
            Assert.True(build.ExitCode == 0, build.ToString());
            var manifest = Path.Combine(ConsumerOutput(dir), "TinyNet.motivation.json");
            Assert.True(File.Exists(manifest), $"no {manifest}: {build}");
            Assert.True(WriteMotivationManifests.IsWellFormedJson(File.ReadAllText(manifest), out var error), error);

            var run = DotNet.Run(dir, TimeSpan.FromMinutes(2), Path.Combine(ConsumerOutput(dir), "TinyNetApp.dll"));
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal("3", run.Output.Trim().Split('\n')[^1].Trim());
        }
        finally { Repo.TryDelete(dir); }
    }

    [RequiresGeneratorFact]
    public void Consumer_WithInvalidMapping_FailsTheBuildWithAMotError()
    {
        var dir = NewConsumer("BadMapApp", $$"""
            using MotivationDsl;
            Console.WriteLine(TinyNet.Definition);

            {{TinyNet.Replace("Base = \"Small\"", "Base = \"Nope\"")}}
            """);
        try
        {
            var build = BuildConsumer(dir);
            Assert.NotEqual(0, build.ExitCode);
            Assert.Matches(@"error MOT\d+", build.Output);
            Assert.Contains("Nope", build.Output);
        }
        finally { Repo.TryDelete(dir); }
    }
}

using System.IO.Compression;
using System.Xml.Linq;
using Xunit;

namespace MotivationDsl.Build.Tests;

/// <summary>
/// Packs the solution once per test run, as a user does (`dotnet pack MotivationDsl.sln`), with a unique prerelease
/// version (so the global NuGet packages folder, shared with TorchSharp's 1.5 GB and with parallel test runs, never
/// serves a stale MotivationDsl), into a temporary local feed. The version's extracted copies are removed from the
/// packages folder afterwards.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    /// <summary>Every package `dotnet pack MotivationDsl.sln` writes, and nothing else (docs/packages.md).</summary>
    public static readonly string[] PackageIds =
    [
        "MotivationDsl", "MotivationDsl.Training", "MotivationDsl.Data", "MotivationDsl.Reporting", "MotivationDsl.Cli",
        "MotivationDsl.Experiments", "MotivationDsl.Templates",
    ];

    private readonly Lazy<(string Feed, string Version)> _packed;

    public PackageFixture() => _packed = new Lazy<(string, string)>(Pack);

    public string Feed => _packed.Value.Feed;
    public string Version => _packed.Value.Version;
    public string Package => PathOf("MotivationDsl");

    /// <summary>The .nupkg of package <paramref name="id"/> in the feed.</summary>
    public string PathOf(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    private static (string, string) Pack()
    {
        var version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "." + Environment.ProcessId;
        var feed = Repo.NewTempDirectory("feed");
        // --no-build: this test project references every package project (ReferenceOutputAssembly=false), so they are
        // built; packing builds nothing else (the examples and the other tests may be running while this packs).
        var result = DotNet.Msbuild(Repo.Root, TimeSpan.FromMinutes(10), "pack", Path.Combine(Repo.Root, "MotivationDsl.sln"),
            "-c", Repo.Configuration, "-o", feed, "-p:PackageVersion=" + version, "-v:m", "--no-build");
        if (result.ExitCode != 0) throw new InvalidOperationException("dotnet pack failed: " + result);
        foreach (var id in PackageIds)
        {
            var package = Path.Combine(feed, $"{id}.{version}.nupkg");
            if (!File.Exists(package)) throw new InvalidOperationException($"dotnet pack did not produce {package}: {result}");
        }
        return (feed, version);
    }

    public void Dispose()
    {
        if (!_packed.IsValueCreated) return;
        foreach (var id in PackageIds)
        {
            var extracted = Path.Combine(Repo.NuGetPackages, id.ToLowerInvariant());
            Repo.TryDelete(Path.Combine(extracted, Version.ToLowerInvariant()));
            try { if (Directory.Exists(extracted) && !Directory.EnumerateFileSystemEntries(extracted).Any()) Directory.Delete(extracted); }
            catch (IOException) { }
        }
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

    /// <summary>What each library package depends on among the others (besides MotivationDsl's TorchSharp-cpu).</summary>
    private static readonly Dictionary<string, string[]> SiblingDependencies = new()
    {
        ["MotivationDsl.Training"] = ["MotivationDsl"],
        ["MotivationDsl.Data"] = ["MotivationDsl", "MotivationDsl.Training"],
        ["MotivationDsl.Reporting"] = ["MotivationDsl"],
        ["MotivationDsl.Cli"] = ["MotivationDsl", "MotivationDsl.Training", "MotivationDsl.Data", "MotivationDsl.Reporting"],
        ["MotivationDsl.Experiments"] = ["MotivationDsl.Training", "MotivationDsl.Data", "MotivationDsl.Reporting"],
    };

    [Fact]
    public void SolutionPack_WritesEveryPackage_AndNothingElse_AllWithOneVersion_DependingOnEachOtherWhole()
    {
        // Examples, tests, the generator and the MSBuild tasks are not packages.
        Assert.Equal(PackageFixture.PackageIds.Select(id => $"{id}.{package.Version}.nupkg").Order(),
            Directory.GetFiles(package.Feed, "*.nupkg").Select(Path.GetFileName).Order());

        XNamespace ns = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";
        foreach (var (id, siblings) in SiblingDependencies)
        {
            using var zip = ZipFile.OpenRead(package.PathOf(id));
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains($"lib/net10.0/{id}.dll", entries);
            Assert.Contains($"lib/net10.0/{id}.xml", entries);
            XDocument nuspec;
            using (var stream = zip.GetEntry(id + ".nuspec")!.Open()) nuspec = XDocument.Load(stream);
            Assert.Equal(package.Version, (string)nuspec.Descendants(ns + "version").Single());
            var dependencies = nuspec.Descendants(ns + "dependency").ToArray();
            var onSiblings = dependencies.Where(d => ((string)d.Attribute("id")!).StartsWith("MotivationDsl", StringComparison.Ordinal)).ToArray();
            Assert.Equal(siblings.Order(), onSiblings.Select(d => (string)d.Attribute("id")!).Order());
            foreach (var d in onSiblings)
            {
                Assert.Equal(package.Version, (string)d.Attribute("version")!);
                // No exclude="Build,Analyzers": a package's users get MotivationDsl's generator and build targets too.
                Assert.True(string.IsNullOrEmpty((string?)d.Attribute("exclude")), $"{id} -> {d}");
            }
        }
        using (var data = ZipFile.OpenRead(package.PathOf("MotivationDsl.Data")))
            Assert.Contains(data.Entries, e => e.FullName == "licenses/LICENSE-fashion-mnist.txt");

        using var templates = ZipFile.OpenRead(package.PathOf("MotivationDsl.Templates"));
        var files = templates.Entries.Select(e => e.FullName).Where(e => e.StartsWith("content/", StringComparison.Ordinal)).Order().ToArray();
        Assert.Equal(new[]
        {
            "content/motivationdsl-app/.template.config/template.json", "content/motivationdsl-app/Model.cs",
            "content/motivationdsl-app/MotivationApp.csproj", "content/motivationdsl-app/Program.cs",
        }, files);
        Assert.DoesNotContain(templates.Entries, e => e.FullName.StartsWith("lib/", StringComparison.Ordinal));
        using var project = new StreamReader(templates.GetEntry("content/motivationdsl-app/MotivationApp.csproj")!.Open());
        Assert.Contains($"<PackageReference Include=\"MotivationDsl.Cli\" Version=\"{package.Version}\" />", project.ReadToEnd());
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

    /// <summary>
    /// A consumer project in a temp folder outside the repository, with its own nuget.config, referencing
    /// <paramref name="packages"/> (default: MotivationDsl) of the packed version. Nullable warnings are errors, so a
    /// program that compiles needs no `!` on what the packages promise is set.
    /// </summary>
    private string NewConsumer(string name, string source, string[]? packages = null, Dictionary<string, string>? files = null)
    {
        var dir = Repo.NewTempDirectory("consumer-" + name.ToLowerInvariant());
        IsolateFromTheRepository(dir);
        var references = string.Join("\n", (packages ?? ["MotivationDsl"]).Select(p =>
            $"    <PackageReference Include=\"{p}\" Version=\"[{package.Version}]\" />"));
        File.WriteAllText(Path.Combine(dir, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <WarningsAsErrors>$(WarningsAsErrors);nullable</WarningsAsErrors>
                <!-- LibTorch is ~1.5 GB: hard-link it from the NuGet cache instead of copying it. -->
                <CreateHardLinksForCopyLocalIfPossible>true</CreateHardLinksForCopyLocalIfPossible>
              </PropertyGroup>
              <ItemGroup>
            {references}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), source);
        foreach (var (file, text) in files ?? []) File.WriteAllText(Path.Combine(dir, file), text);
        return dir;
    }

    /// <summary>
    /// Empty Directory.Build.* / Directory.Packages.props (the search for them stops here) and a nuget.config with the
    /// temporary feed, plus whatever sources this machine already has (nuget.org here): no &lt;clear/&gt;.
    /// </summary>
    private void IsolateFromTheRepository(string dir)
    {
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(dir, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(dir, "Directory.Packages.props"), "<Project />");
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="motivationdsl-test-feed" value="{package.Feed}" />
              </packageSources>
            </configuration>
            """);
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

    /// <summary>
    /// A first training program as a user writes it: MotivationDsl.Training, .Data and .Reporting from the feed (the DSL,
    /// its generator and build targets come with them), a declared model, a pair trained from code for a few steps on the
    /// embedded Fashion-MNIST sample, the report read, the base exported. The Data loader goes straight into Fit, the final
    /// results need no `!` (nullable warnings are errors here) and the thread count no TorchSharp. The project also has
    /// a second model class of the same name in another namespace: both generate, both manifests are written.
    /// </summary>
    [RequiresGeneratorFact]
    public void Consumer_DeclaresAModel_TrainsThePairFromCode_ReadsTheReport_AndExports()
    {
        const string program = """
            using MotivationDsl.Data;
            using MotivationDsl.Reporting;
            using MotivationDsl.Training;
            using MotivationDsl.Training.Optimizers;

            using var data = Datasets.FashionMnistSample();
            var train = new DataLoader(data.Train.Take(128), new DataLoaderOptions { BatchSize = 32, Seed = 1, Normalize = Normalization.FashionMnist });
            var test = new DataLoader(data.Test.Take(64), new DataLoaderOptions { BatchSize = 64, Shuffle = false, Normalize = Normalization.FashionMnist });

            using var trainer = MotivationTrainer.Create(Vision.TinyNet.Definition, new TrainerOptions
            {
                Optimizer = new SgdOptions(0.05, Momentum: 0.9),
                Seed = 1,
                Threads = 1,
            });
            FitReport report = trainer.Fit(train, test, epochs: 1);

            Directory.CreateDirectory("exported");
            ModelExport.Save(trainer.Pair.Base, "exported", "base");
            Console.WriteLine($"model={report.Model} steps={report.Accounting.BaseBatches + report.Accounting.MotivatedBatches}");
            Console.WriteLine($"base={report.FinalBase.Accuracy:F4} samples={report.FinalBase.Samples}");
            Console.WriteLine($"motivated={report.FinalMotivated.Accuracy:F4} samples={report.FinalMotivated.Samples}");
            """;
        const string models = """
            using MotivationDsl;

            namespace Vision
            {
                [ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 10, Base = "Small", Motivated = "Large")]
                [Variant("Small", WidthMultiplier = 1)]
                [Variant("Large", WidthMultiplier = 2)]
                [Conv2d("conv1", 4, Kernel = 3, Padding = 1, Stride = 2)]
                [BatchNorm2d("bn1")]
                [ReLU]
                [GlobalAvgPool]
                [Flatten]
                [Linear("fc")]
                public partial class TinyNet { }
            }

            namespace Audio
            {
                [ScalableModel(InputShape = new[] { 1, 8, 8 }, Classes = 3, Base = "Small", Motivated = "Large")]
                [Variant("Small", WidthMultiplier = 1)]
                [Variant("Large", WidthMultiplier = 2)]
                [Conv2d("conv1", 4, Kernel = 3, Padding = 1)]
                [ReLU]
                [GlobalAvgPool]
                [Flatten]
                [Linear("fc")]
                public partial class TinyNet { }
            }
            """;
        var dir = NewConsumer("TrainingApp", program, ["MotivationDsl.Training", "MotivationDsl.Data", "MotivationDsl.Reporting"],
            new() { ["Models.cs"] = models });
        try
        {
            var build = BuildConsumer(dir);
            Assert.True(build.ExitCode == 0, build.ToString());
            foreach (var model in new[] { "Vision.TinyNet", "Audio.TinyNet" })
            {
                var manifest = Path.Combine(ConsumerOutput(dir), model + ".motivation.json");
                Assert.True(File.Exists(manifest), $"no {manifest}: {build}");
                Assert.True(WriteMotivationManifests.IsWellFormedJson(File.ReadAllText(manifest), out var error), error);
            }

            var run = DotNet.Run(dir, TimeSpan.FromMinutes(3), Path.Combine(ConsumerOutput(dir), "TrainingApp.dll"));
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("steps=4", run.Output);   // 128 images in batches of 32, one epoch
            foreach (var role in new[] { "base", "motivated" })
            {
                var line = run.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(role + "=", StringComparison.Ordinal));
                var accuracy = double.Parse(line[(role.Length + 1)..line.IndexOf(' ')], System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(accuracy, 0.0, 1.0);
                Assert.EndsWith("samples=64", line);
            }
            Assert.True(new FileInfo(Path.Combine(dir, "exported", "base.safetensors")).Length > 0, run.ToString());
            Assert.True(new FileInfo(Path.Combine(dir, "exported", "base.dat")).Length > 0, run.ToString());
        }
        finally { Repo.TryDelete(dir); }
    }

    /// <summary>
    /// `dotnet new install` of the template package (into a private DOTNET_CLI_HOME, so the user's templates are left
    /// alone), `dotnet new motivationdsl`, build, and one training step through the CLI on the embedded sample.
    /// </summary>
    [RequiresGeneratorFact]
    public void Template_FromThePackage_CreatesAnAppThatBuilds_AndTrainsOneStep()
    {
        var home = Repo.NewTempDirectory("template-home");
        var dir = Repo.NewTempDirectory("template-app");
        try
        {
            var privateHome = new Dictionary<string, string> { ["DOTNET_CLI_HOME"] = home, ["NUGET_PACKAGES"] = Repo.NuGetPackages };
            var install = DotNet.RunProcess("dotnet", dir, TimeSpan.FromMinutes(2), privateHome,
                "new", "install", package.PathOf("MotivationDsl.Templates"));
            Assert.True(install.ExitCode == 0, install.ToString());
            var create = DotNet.RunProcess("dotnet", dir, TimeSpan.FromMinutes(2), privateHome,
                "new", "motivationdsl", "-n", "SmokeApp", "-o", Path.Combine(dir, "SmokeApp"));
            Assert.True(create.ExitCode == 0, create.ToString());
            var app = Path.Combine(dir, "SmokeApp");
            Assert.True(File.Exists(Path.Combine(app, "SmokeApp.csproj")), create.ToString());
            Assert.True(File.Exists(Path.Combine(app, "Model.cs")), create.ToString());
            Assert.False(Directory.Exists(Path.Combine(app, ".template.config")));

            IsolateFromTheRepository(dir);
            var build = DotNet.Msbuild(app, "build", "-c", "Debug", "-v:m");
            Assert.True(build.ExitCode == 0, build.ToString());
            var output = Path.Combine(app, "bin", "Debug", "net10.0");
            Assert.True(File.Exists(Path.Combine(output, "FashionResNet.motivation.json")), build.ToString());

            var runDir = Path.Combine(dir, "run");
            var run = DotNet.Run(app, TimeSpan.FromMinutes(3), Path.Combine(output, "SmokeApp.dll"), "train",
                "--epochs", "1", "--data", "sample", "--train-limit", "64", "--test-limit", "64", "--batch-size", "64",
                "--threads", "1", "--out", runDir);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("FashionResNet", run.Output);
            using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "report.json")));
            Assert.Contains("FashionResNet", report.RootElement.GetRawText());
        }
        finally
        {
            Repo.TryDelete(dir);
            Repo.TryDelete(home);
        }
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

using Xunit;

namespace MotivationDsl.Build.Tests;

/// <summary>
/// The targets in a real `dotnet build`: a small class library outside the repository that imports
/// src/MotivationDsl/build/MotivationDsl.targets (as a package user's project does), uses the task assembly built
/// for this test run and declares a model by hand, as the generator would.
/// </summary>
[Collection(ChildBuildCollection.Name)]
[Trait("Category", "E2E")]
public sealed class ManifestTargetsE2ETests : IDisposable
{
    private const string Json = "{\"name\":\"Foo\",\"base\":\"Small\",\"motivated\":\"Large\"}";
    private readonly string _dir = Repo.NewTempDirectory("manifest-e2e");

    public void Dispose() => Repo.TryDelete(_dir);

    private string Output => Path.Combine(_dir, "bin", "Debug", "net10.0");
    private string Manifest => Path.Combine(Output, "Foo.motivation.json");

    private void WriteProject()
    {
        var bin = AppContext.BaseDirectory;
        // Stops the search for Directory.Build.* above the temp folder and imports the targets after the SDK's.
        File.WriteAllText(Path.Combine(_dir, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(_dir, "Directory.Build.targets"),
            $"<Project><Import Project=\"{Repo.TargetsFile}\" /></Project>");
        File.WriteAllText(Path.Combine(_dir, "Lib.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <MotivationDslTaskAssembly>{Path.Combine(bin, "MotivationDsl.Build.dll")}</MotivationDslTaskAssembly>
              </PropertyGroup>
              <ItemGroup>
                <Reference Include="MotivationDsl" HintPath="{Path.Combine(bin, "MotivationDsl.dll")}" Private="false" />
              </ItemGroup>
            </Project>
            """);
        WriteSource(Json);
    }

    private void WriteSource(string json) =>
        File.WriteAllText(Path.Combine(_dir, "Foo.cs"), $$"""
            [assembly: MotivationDsl.GeneratedScalableModel(typeof(Foo), "Foo", {{SymbolDisplay(json)}})]
            public partial class Foo { }
            """);

    private static string SymbolDisplay(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private ProcessResult Build(params string[] extra) =>
        DotNet.Msbuild(_dir, "build", new[] { "Lib.csproj", "-c", "Debug", "-v:n" }.Concat(extra).ToArray());

    [Fact]
    public void Build_WritesManifest_SkipsWhenUpToDate_RewritesWhenDeleted_PublishesIt_CleanRemovesIt_AndFailsClearly()
    {
        WriteProject();

        // 1. First build: the manifest is written next to the output.
        var first = Build();
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(Json, File.ReadAllText(Manifest));
        Assert.Contains("MotivationDsl: wrote " + Manifest, first.Output);

        // 2. Nothing changed: the target is skipped (Inputs/Outputs) and the manifest is still there.
        var second = Build();
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("Skipping target \"MotivationDslWriteManifests\" because all output files are up-to-date", second.Output);
        Assert.True(File.Exists(Manifest), "IncrementalClean removed a manifest of a skipped run: " + second.Output);

        // 3. The code changes but the manifest does not: the target runs, the manifest keeps its old timestamp ...
        var writtenAt = File.GetLastWriteTimeUtc(Manifest);
        File.AppendAllText(Path.Combine(_dir, "Foo.cs"), "\npublic class Extra { public static int V() => 1; }\n");
        var changed = Build();
        Assert.True(changed.ExitCode == 0, changed.ToString());
        Assert.DoesNotContain("MotivationDsl: wrote", changed.Output);
        Assert.Equal(writtenAt, File.GetLastWriteTimeUtc(Manifest));
        // ... and the build after it skips the target again (an unchanged manifest older than the assembly is fine).
        var again = Build();
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("Skipping target \"MotivationDslWriteManifests\" because all output files are up-to-date", again.Output);
        // ... and an edit of a method body only (the reference assembly, which holds the models' attributes, is unchanged)
        // recompiles the assembly but does not run the task.
        var source = Path.Combine(_dir, "Foo.cs");
        File.WriteAllText(source, File.ReadAllText(source).Replace("=> 1;", "=> 2;"));
        var bodyOnly = Build();
        Assert.True(bodyOnly.ExitCode == 0, bodyOnly.ToString());
        Assert.Contains("Skipping target \"MotivationDslWriteManifests\" because all output files are up-to-date", bodyOnly.Output);
        Assert.True(File.GetLastWriteTimeUtc(Path.Combine(_dir, "obj", "Debug", "net10.0", "Lib.dll")) > writtenAt,
            "the body-only edit did not recompile: " + bodyOnly.Output);
        Assert.Equal(Json, File.ReadAllText(Manifest));

        // 4. A deleted manifest is an out-of-date output: written again.
        File.Delete(Manifest);
        var third = Build();
        Assert.True(third.ExitCode == 0, third.ToString());
        Assert.Equal(Json, File.ReadAllText(Manifest));

        // 5. Publish copies it to the publish folder.
        var publishDir = Path.Combine(_dir, "published");
        var publish = DotNet.Msbuild(_dir, "publish", "Lib.csproj", "-c", "Debug", "--no-build", "-o", publishDir);
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Equal(Json, File.ReadAllText(Path.Combine(publishDir, "Foo.motivation.json")));

        // 6. Clean removes it (FileWrites).
        var clean = DotNet.Msbuild(_dir, "clean", "Lib.csproj", "-c", "Debug");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.False(File.Exists(Manifest), "Clean left " + Manifest);

        // 7. A directory where the manifest goes: the build fails with MOTB014 naming the file.
        Directory.CreateDirectory(Manifest);
        var blocked = Build();
        Assert.NotEqual(0, blocked.ExitCode);
        Assert.Contains("error MOTB014", blocked.Output);
        Assert.Contains(Manifest, blocked.Output);
    }

    [Fact]
    public void MalformedManifestJson_FailsTheBuildWithMOTB013()
    {
        WriteProject();
        WriteSource("{\"name\": \"Foo\",");
        var result = Build();
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("error MOTB013", result.Output);
        Assert.False(File.Exists(Manifest));
    }

    [Fact]
    public void MotivationDslWriteManifestFalse_WritesNothing_AndManifestDirectoryMovesThem()
    {
        WriteProject();
        var off = Build("-p:MotivationDslWriteManifest=false");
        Assert.True(off.ExitCode == 0, off.ToString());
        Assert.False(File.Exists(Manifest));

        var elsewhere = Build("-p:MotivationDslManifestDirectory=manifests/");
        Assert.True(elsewhere.ExitCode == 0, elsewhere.ToString());
        Assert.Equal(Json, File.ReadAllText(Path.Combine(_dir, "manifests", "Foo.motivation.json")));
    }

    [Fact]
    public void TwoModelsWithOneNameInTwoNamespaces_BothBuild_AndEachManifestIsNamedByItsFullTypeName()
    {
        WriteProject();
        // What the generator emits for two [ScalableModel] classes named Net in two namespaces.
        File.WriteAllText(Path.Combine(_dir, "Foo.cs"), """
            [assembly: MotivationDsl.GeneratedScalableModel(typeof(Vision.Net), "Net", "{\"name\":\"Vision.Net\"}")]
            [assembly: MotivationDsl.GeneratedScalableModel(typeof(Audio.Net), "Net", "{\"name\":\"Audio.Net\"}")]
            [assembly: MotivationDsl.GeneratedScalableModel(typeof(Audio.Other), "Other", "{\"name\":\"Other\"}")]
            namespace Vision { public partial class Net { } }
            namespace Audio { public partial class Net { } public partial class Other { } }
            """);
        var result = Build();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("{\"name\":\"Vision.Net\"}", File.ReadAllText(Path.Combine(Output, "Vision.Net.motivation.json")));
        Assert.Equal("{\"name\":\"Audio.Net\"}", File.ReadAllText(Path.Combine(Output, "Audio.Net.motivation.json")));
        Assert.Equal("{\"name\":\"Other\"}", File.ReadAllText(Path.Combine(Output, "Other.motivation.json")));
        Assert.False(File.Exists(Path.Combine(Output, "Net.motivation.json")));
    }
}

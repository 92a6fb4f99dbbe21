using System.Reflection;
using System.Reflection.Emit;
using Microsoft.Build.Utilities;
using Xunit;

namespace MotivationDsl.Build.Tests;

/// <summary>WriteMotivationManifests driven directly, on assemblies made with System.Reflection.Emit (no Roslyn).</summary>
public sealed class ManifestTaskTests : IDisposable
{
    private readonly string _dir = Repo.NewTempDirectory("manifest-unit");

    public void Dispose() => Repo.TryDelete(_dir);

    /// <summary>Saves an assembly with the given [assembly: GeneratedScalableModel(type, name, json)] attributes.</summary>
    private string MakeAssembly(params (Type Model, string? Name, string? Json)[] models)
    {
        var name = "Fake" + Guid.NewGuid().ToString("N")[..8];
        var builder = new PersistedAssemblyBuilder(new AssemblyName(name), typeof(object).Assembly);
        builder.DefineDynamicModule(name);
        var ctor = typeof(GeneratedScalableModelAttribute).GetConstructor(new[] { typeof(Type), typeof(string), typeof(string) })!;
        foreach (var m in models)
            builder.SetCustomAttribute(new CustomAttributeBuilder(ctor, new object?[] { m.Model, m.Name, m.Json }));
        var path = Path.Combine(_dir, name + ".dll");
        using (var stream = File.Create(path)) builder.Save(stream);
        return path;
    }

    private (bool Ok, WriteMotivationManifests Task, RecordingBuildEngine Engine) Run(string assembly, string? output = null)
    {
        var engine = new RecordingBuildEngine();
        var task = new WriteMotivationManifests
        {
            BuildEngine = engine,
            Assembly = new TaskItem(assembly),
            OutputDirectory = output ?? Path.Combine(_dir, "out"),
        };
        return (task.Execute(), task, engine);
    }

    private const string ValidJson = "{\"name\":\"Foo\",\"variants\":[{\"name\":\"Small\"},{\"name\":\"Large\"}],\"entries\":[]}";

    [Fact]
    public void WritesOneManifestPerModel_WithTheExactJson()
    {
        var asm = MakeAssembly((typeof(WeightsMap), "Foo", ValidJson), (typeof(MotivationPair), "Bar", "[1,2,3]"));

        var (ok, task, engine) = Run(asm);

        Assert.True(ok, engine.ErrorText);
        var foo = Path.Combine(_dir, "out", "Foo.motivation.json");
        Assert.Equal(ValidJson, File.ReadAllText(foo));
        Assert.Equal("[1,2,3]", File.ReadAllText(Path.Combine(_dir, "out", "Bar.motivation.json")));
        Assert.Equal(new[] { foo, Path.Combine(_dir, "out", "Bar.motivation.json") }, task.Manifests.Select(m => m.ItemSpec));
        Assert.Contains("MotivationDsl.WeightsMap", task.Manifests[0].GetMetadata("ModelType"));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "out"), "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void AssemblyWithoutModels_WritesNothing()
    {
        var (ok, task, engine) = Run(MakeAssembly());
        Assert.True(ok, engine.ErrorText);
        Assert.Empty(task.Manifests);
    }

    [Fact]
    public void UnchangedManifest_IsNotRewritten()
    {
        var asm = MakeAssembly((typeof(WeightsMap), "Foo", ValidJson));
        Assert.True(Run(asm).Ok);
        var file = Path.Combine(_dir, "out", "Foo.motivation.json");
        var old = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(file, old);

        Assert.True(Run(asm).Ok);

        Assert.Equal(old, File.GetLastWriteTimeUtc(file));
    }

    [Fact]
    public void ChangedManifest_IsReplaced()
    {
        Assert.True(Run(MakeAssembly((typeof(WeightsMap), "Foo", "{\"v\":1}"))).Ok);
        Assert.True(Run(MakeAssembly((typeof(WeightsMap), "Foo", "{\"v\":2}"))).Ok);
        Assert.Equal("{\"v\":2}", File.ReadAllText(Path.Combine(_dir, "out", "Foo.motivation.json")));
    }

    [Fact]
    public void DirectoryInTheWay_FailsWithMOTB014NamingTheFileAndReason()
    {
        var asm = MakeAssembly((typeof(WeightsMap), "Foo", ValidJson));
        var file = Path.Combine(_dir, "out", "Foo.motivation.json");
        Directory.CreateDirectory(file);

        var (ok, _, engine) = Run(asm);

        Assert.False(ok);
        var error = Assert.Single(engine.Errors);
        Assert.Equal("MOTB014", error.Code);
        Assert.Contains(file, error.Message);
        Assert.Contains("directory", error.Message);
        Assert.Equal(file, error.File);
    }

    [Fact]
    public void OutputFolderIsAFile_FailsWithMOTB014()
    {
        var asm = MakeAssembly((typeof(WeightsMap), "Foo", ValidJson));
        var notADir = Path.Combine(_dir, "out-file");
        File.WriteAllText(notADir, "x");

        var (ok, _, engine) = Run(asm, notADir);

        Assert.False(ok);
        var error = Assert.Single(engine.Errors);
        Assert.Equal("MOTB014", error.Code);
        Assert.Contains(Path.Combine(notADir, "Foo.motivation.json"), error.Message);
    }

    [Theory]
    [InlineData("{\"a\":1,}")]
    [InlineData("{\"a\":1")]
    [InlineData("not json")]
    [InlineData("{} {}")]
    [InlineData("")]
    [InlineData(null)]
    public void MalformedJson_FailsWithMOTB013_AndWritesNothing(string? json)
    {
        var (ok, _, engine) = Run(MakeAssembly((typeof(WeightsMap), "Foo", json)));
        Assert.False(ok);
        Assert.Equal("MOTB013", Assert.Single(engine.Errors).Code);
        Assert.Contains("Foo.motivation.json", engine.Errors[0].Message);
        Assert.False(File.Exists(Path.Combine(_dir, "out", "Foo.motivation.json")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData(null)]
    public void UnusableName_FailsWithMOTB012(string? name)
    {
        var (ok, _, engine) = Run(MakeAssembly((typeof(WeightsMap), name, ValidJson)));
        Assert.False(ok);
        Assert.Equal("MOTB012", Assert.Single(engine.Errors).Code);
    }

    [Fact]
    public void SharedName_NamesEachOfThoseManifestsByItsFullTypeName_OthersKeepTheirName()
    {
        // Two models named like two classes "Net" in different namespaces (compared ignoring case), and one more.
        var (ok, task, engine) = Run(MakeAssembly(
            (typeof(WeightsMap), "Net", "{\"a\":1}"), (typeof(MotivationPair), "net", "{\"b\":2}"), (typeof(TensorRegion), "Other", "{}")));

        Assert.True(ok, engine.ErrorText);
        var output = Path.Combine(_dir, "out");
        Assert.Equal("{\"a\":1}", File.ReadAllText(Path.Combine(output, "MotivationDsl.WeightsMap.motivation.json")));
        Assert.Equal("{\"b\":2}", File.ReadAllText(Path.Combine(output, "MotivationDsl.MotivationPair.motivation.json")));
        Assert.Equal("{}", File.ReadAllText(Path.Combine(output, "Other.motivation.json")));
        Assert.Equal(3, Directory.GetFiles(output).Length);
        Assert.Equal(new[] { "Net", "net", "Other" }, task.Manifests.Select(m => m.GetMetadata("ModelName")));
    }

    [Theory]
    [InlineData("MotivationDsl.WeightsMap, MotivationDsl, Version=0.1.0.0, Culture=neutral, PublicKeyToken=null", "MotivationDsl.WeightsMap")]
    [InlineData("Vision.Net", "Vision.Net")]
    [InlineData("Vision.Outer+Net", "Vision.Outer+Net")]
    [InlineData("A.Net`1[[B.C, Lib, Version=1.0.0.0]], App", "A.Net`1[[B.C, Lib, Version=1.0.0.0]]")]
    [InlineData(null, "")]
    public void FullTypeName_DropsOnlyTheAssemblyQualification(string? serialized, string expected) =>
        Assert.Equal(expected, WriteMotivationManifests.FullTypeName(serialized));

    [Fact]
    public void SameFullTypeNameTwice_FailsWithMOTB015()
    {
        var (ok, _, engine) = Run(MakeAssembly((typeof(WeightsMap), "Foo", ValidJson), (typeof(WeightsMap), "foo", ValidJson)));
        Assert.False(ok);
        var error = Assert.Single(engine.Errors);
        Assert.Equal("MOTB015", error.Code);
        Assert.Contains("MotivationDsl.WeightsMap.motivation.json", error.Message);
    }

    [Fact]
    public void NotAnAssembly_FailsWithMOTB011()
    {
        var path = Path.Combine(_dir, "junk.dll");
        File.WriteAllText(path, "this is not a PE file");
        var (ok, _, engine) = Run(path);
        Assert.False(ok);
        Assert.Equal("MOTB011", Assert.Single(engine.Errors).Code);
        Assert.Contains(path, engine.Errors[0].Message);
    }

    [Fact]
    public void MissingAssembly_FailsWithMOTB010()
    {
        var (ok, _, engine) = Run(Path.Combine(_dir, "missing.dll"));
        Assert.False(ok);
        Assert.Equal("MOTB010", Assert.Single(engine.Errors).Code);
    }

    [Fact]
    public void Reader_ReadsThisTestAssembly_CompiledByRoslyn()
    {
        var models = ModelManifestReader.Read(typeof(SelfManifest).Assembly.Location);
        var model = Assert.Single(models);
        Assert.Equal("BuildTestsSelf", model.Name);
        Assert.Equal(SelfManifest.Json, model.ManifestJson);
        Assert.StartsWith("MotivationDsl.Build.Tests.SelfManifest", model.ModelType);
    }

    [Fact]
    public void InRepoBuild_WroteThisTestAssemblysManifest_NextToIt()
    {
        // Written by the MotivationDslWriteManifests target when this project was built (Directory.Build.targets).
        var file = Path.Combine(AppContext.BaseDirectory, "BuildTestsSelf.motivation.json");
        Assert.True(File.Exists(file), $"missing {file}");
        Assert.Equal(SelfManifest.Json, File.ReadAllText(file));
    }
}

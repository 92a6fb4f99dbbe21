using System.Reflection;
using System.Runtime.Loader;
using Xunit;

namespace MotivationDsl.Generators.Tests;

/// <summary>
/// The generated metadata is computed at run time (VariantMetadataBuilder) from a short description, and the generator
/// proves the same figures at compile time (the manifest). Loads the generated assembly and checks that both agree:
/// parameters, MACs and every mapped tensor's shape, for each snapshot model.
/// </summary>
public class RuntimeMetadataTests
{
    /// <summary>Every snapshot model: (snapshot name, the model's full type name).</summary>
    public static TheoryData<string, string> SnapshotModels => new()
    {
        { "ResNetCifar", "Demo.Cifar.ResNetCifar" },
        { "WideBottleneck", "WideNet" },
        { "UserBlock", "Demo.Custom.CustomNet" },
        { "MiniEfficientNet", "Demo.Eff.MiniEfficientNet" },
        { "MiniViT", "Demo.Vit.MiniViT" },
        { "GrowingViT", "Demo.Grow.GrowingViT" },
        { "MiniGpt", "Demo.Gpt.MiniGpt" },
        { "BlockLayers", "MotivationDsl.Tests.Models.BlockLayerNet" },
        { "Branches", "MotivationDsl.Tests.Models.BranchNet" },
        { "ExtraStage", "MotivationDsl.Tests.Models.ExtraStageNet" },
        { "Kernels", "MotivationDsl.Tests.Models.KernelNet" },
    };

    [Theory]
    [MemberData(nameof(SnapshotModels))]
    public void RunTimeMetadataEqualsTheProvenManifest(string name, string typeName)
    {
        var definition = Load(GeneratorHarness.Run(SourcesOf(name)), typeName);
        using var manifest = System.Text.Json.JsonDocument.Parse(definition.ManifestJson);
        foreach (var v in manifest.RootElement.GetProperty("variants").EnumerateArray())
        {
            var info = definition.GetVariant(v.GetProperty("name").GetString()!);
            Assert.Equal(v.GetProperty("parameters").GetInt64(), info.ParameterCount);
            Assert.Equal(v.GetProperty("macs").GetInt64(), info.Macs);
        }
        var b = definition.GetVariant(definition.BaseVariant);
        var m = definition.GetVariant(definition.MotivatedVariant);
        Assert.Equal(b.Tensors.Count, definition.Map.Entries.Count);
        foreach (var e in definition.Map.Entries)
        {
            Assert.Equal(b.Shape(e.BaseName), e.BaseShape);
            Assert.Equal(m.Shape(e.MotivatedName), e.MotivatedShape);
        }
    }

    /// <summary>
    /// Every variant's module, built by its shared module class (variants with one layer list) or its own, has exactly
    /// the state_dict of its metadata (names, shapes, parameters), which equals the proven manifest (above).
    /// </summary>
    [Theory]
    [MemberData(nameof(SnapshotModels))]
    public void EveryVariantsModuleHasTheTensorsOfItsMetadata(string name, string typeName)
    {
        var definition = Load(GeneratorHarness.Run(SourcesOf(name)), typeName);
        foreach (var info in definition.Variants)
        {
            using var module = definition.Create(info.Name);
            var state = module.state_dict();
            var names = info.Tensors.Select(t => t.Name).ToHashSet();
            Assert.Subset(state.Keys.ToHashSet(), names);
            // Any other key is a tied weight (GPT's lm_head.weight): the same tensor as a described one (equal values;
            // two separately initialised tensors never are).
            foreach (var alias in state.Keys.Where(k => !names.Contains(k)))
                Assert.Contains(names, n => state[n].shape.SequenceEqual(state[alias].shape) && state[n].allclose(state[alias], 0, 0));
            foreach (var t in info.Tensors) Assert.Equal(t.Shape, state[t.Name].shape);
            Assert.Equal(info.ParameterCount, module.parameters().Sum(p => p.numel()));
            Assert.Equal(info.Name, module.GetName());
        }
    }

    [Fact]
    public void EveryVariantIsASealedVariantModuleAndOneLayerListIsStatedOnce()
    {
        var model = Load(GeneratorHarness.Run(Sources.ResNetCifar), "Demo.Cifar.ResNetCifar").ModelType;
        foreach (var variant in new[] { "ResNet20", "ResNet32", "ResNet44", "ResNet56" })
        {
            var type = model.GetNestedType(variant)!;
            Assert.True(type.IsSealed);
            Assert.Equal(typeof(VariantModule), type.BaseType);
            Assert.NotNull(type.GetConstructor(Type.EmptyTypes));
            Assert.NotNull(type.GetConstructor(new[] { typeof(ModelOptions) }));
        }
        // The four variants differ only in block counts: one method states their layers, the counts are its arguments.
        var definition = model.GetNestedType("ModelDefinition")!;
        var shared = definition.GetMethods(BindingFlags.NonPublic | BindingFlags.Static).Where(m => m.ReturnType == typeof(LayerList)).ToList();
        Assert.Equal(new[] { "layer1_run0_count", "layer2_run1_count", "layer3_run1_count" }, Assert.Single(shared).GetParameters().Select(p => p.Name));
        // A layer list of its own (the motivated variant's extra stage) is stated by its field alone.
        var extra = Load(GeneratorHarness.Run(VocabularySources.ExtraStage), "MotivationDsl.Tests.Models.ExtraStageNet").ModelType;
        var lists = extra.GetNestedType("ModelDefinition")!.GetFields(BindingFlags.NonPublic | BindingFlags.Static).Where(f => f.FieldType == typeof(LayerList));
        Assert.Equal(2, lists.Count());
    }

    private static string[] SourcesOf(string name) => name switch
    {
        "UserBlock" => new[] { Sources.UserBlockModel, Sources.UserBlock },
        "BlockLayers" => new[] { VocabularySources.BlockLayers },
        "Branches" => new[] { VocabularySources.Branches },
        "ExtraStage" => new[] { VocabularySources.ExtraStage },
        "Kernels" => new[] { VocabularySources.Kernels },
        _ => new[] { (string)typeof(Sources).GetField(name)!.GetValue(null)! },
    };

    [Fact]
    public void TheDefinitionReadsTheTaskFromTheManifest()
    {
        Assert.Equal(ModelTask.LanguageModel, Load(GeneratorHarness.Run(Sources.MiniGpt), "Demo.Gpt.MiniGpt").ModelTask);
        Assert.Equal(ModelTask.Classification, Load(GeneratorHarness.Run(Sources.ResNetCifar), "Demo.Cifar.ResNetCifar").ModelTask);
    }

    [Fact]
    public void OptionsChangeTheClassifierAndTheMacs()
    {
        var definition = Load(GeneratorHarness.Run(Sources.ResNetCifar), "Demo.Cifar.ResNetCifar");
        var declared = definition.Describe("ResNet20");
        var other = definition.Describe("ResNet20", new ModelOptions { Classes = 7, InputSize = 64 });
        Assert.Equal(new long[] { 7, 64 }, other.Shape("linear.weight"));
        Assert.Equal(new long[] { 10, 64 }, declared.Shape("linear.weight"));
        // Convolutions scale with the pixels (4x), the classifier with the classes.
        Assert.Equal(4 * (declared.Macs - 640) + 7 * 64, other.Macs);
    }

    internal static ScalableModelDefinition Load(GeneratorRun run, string typeName)
    {
        Assert.Empty(run.GeneratorDiagnostics);
        using var stream = new MemoryStream();
        var emit = run.Output.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        var context = new AssemblyLoadContext(typeName, isCollectible: true);
        var assembly = context.LoadFromStream(new MemoryStream(stream.ToArray()));
        var type = assembly.GetType(typeName)!;
        return ScalableModelDefinition.Of(type)!;
    }
}

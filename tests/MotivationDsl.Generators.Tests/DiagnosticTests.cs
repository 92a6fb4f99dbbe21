using Microsoft.CodeAnalysis;
using Xunit;
using static MotivationDsl.Generators.Tests.Sources;

namespace MotivationDsl.Generators.Tests;

/// <summary>One invalid declaration per diagnostic ID: exact message and the location of the offending argument.</summary>
public class DiagnosticTests
{
    internal static DiagnosticAssertion Expect(string source, string id, params string[] more)
    {
        var run = GeneratorHarness.Run(new[] { source }.Concat(more).ToArray());
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id is "CS8785" or "AD0001" or "MOT999");
        Assert.Empty(run.Result.Results.SelectMany(r => r.GeneratedSources));
        return DiagnosticAssertion.Single(run, id);
    }

    [Fact]
    public void MOT001_NotPartial()
    {
        var src = Model(cls: "public class Net\n{\n}\n");
        Expect(src, "MOT001").WithMessage("'Net' must be declared as a 'partial class' to be a [ScalableModel]").At(src, "Net\n{");
    }

    [Fact]
    public void MOT002_Nested()
    {
        var src = Model(header: "using MotivationDsl;\n\nnamespace Demo;\n\npublic partial class Outer\n{\n", cls: "public partial class Net\n{\n}\n}\n");
        Expect(src, "MOT002").WithMessage("'Net' is nested in 'Outer'; a [ScalableModel] must be a non-generic class declared directly in a namespace").At(src, "Net\n{");
    }

    [Fact]
    public void MOT002_Generic()
    {
        var src = Model(cls: "public partial class Net<T>\n{\n}\n");
        Expect(src, "MOT002").WithMessage("'Net' is generic; a [ScalableModel] must be a non-generic class declared directly in a namespace").At(src, "Net<T>");
    }

    [Fact]
    public void MOT003_LayersInSeveralDeclarations()
    {
        var src = Model(head: "[GlobalAvgPool]\n[Flatten]", cls: "public partial class Net\n{\n}\n\n[Linear(\"fc\")]\npublic partial class Net\n{\n}\n");
        Expect(src, "MOT003").WithMessage("Layer 'fc' of 'Net' is declared on another partial declaration than the first layers; declare all layers of a model or block on one declaration so their order is defined")
            .At(src, "Linear(\"fc\")");
    }

    [Fact]
    public void MOT004_MissingArguments()
    {
        var src = Model(modelAttr: "[ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10)]");
        Expect(src, "MOT004").WithMessage("[ScalableModel] on 'Net' must set Base, Motivated").At(src, "ScalableModel(");
    }

    [Fact]
    public void MOT005_InvalidInputShape()
    {
        var src = Model(modelAttr: ModelAttr.Replace("new[] { 3, 32, 32 }", "new[] { 3, 32 }"));
        Expect(src, "MOT005").WithMessage("InputShape of 'Net' is [3, 32]; it must be three positive numbers (channels, height, width)").At(src, "InputShape =");
    }

    [Fact]
    public void MOT006_UnknownVariant()
    {
        var src = Model(modelAttr: ModelAttr.Replace("Motivated = \"Large\"", "Motivated = \"Huge\""));
        Expect(src, "MOT006").WithMessage("Motivated variant 'Huge' is not declared on 'Net'; declared variants: Small, Large").At(src, "Motivated = \"Huge\"");
    }

    [Fact]
    public void MOT007_DuplicateVariant()
    {
        var src = Model(variants: Variants + "\n[Variant(\"Large\", Depth = new[] { 4, 4 })]");
        Expect(src, "MOT007").WithMessage("Variant 'Large' is declared more than once on 'Net'").At(src, "\"Large\", Depth = new[] { 4");
    }

    [Fact]
    public void MOT008_SameVariant()
    {
        var src = Model(modelAttr: ModelAttr.Replace("Motivated = \"Large\"", "Motivated = \"Small\""));
        Expect(src, "MOT008").WithMessage("Base and Motivated of 'Net' are both 'Small'; the motivated model must be a larger variant").At(src, "Motivated = \"Small\"");
    }

    [Fact]
    public void MOT009_InvalidVariantName()
    {
        var src = Model(modelAttr: ModelAttr.Replace("\"Large\"", "\"Large-1\""), variants: Variants.Replace("\"Large\"", "\"Large-1\""));
        Expect(src, "MOT009").WithMessage("Variant name 'Large-1' is not usable: a variant name must be a C# identifier (it names the generated module class)").At(src, "\"Large-1\", Depth");
    }

    [Fact]
    public void MOT009_InvalidLayerName()
    {
        var src = Model(stem: Stem.Replace("\"bn1\"", "\"bn-1\""));
        Expect(src, "MOT009").WithMessage("BatchNorm2d name 'bn-1' is not usable: a layer name must be a C# identifier or a dotted state_dict path that starts with one (features.0.0)").At(src, "\"bn-1\"");
    }

    [Fact]
    public void MOT010_DuplicateLayer()
    {
        var src = Model(stages: Stages.Replace("\"layer2\"", "\"layer1\""));
        Expect(src, "MOT010").WithMessage("Layer name 'layer1' is used more than once in 'Net'").At(src, "\"layer1\", Block.Basic, 32");
    }

    [Fact]
    public void MOT011_StageMissingInVariant()
    {
        var src = Model(variants: Variants.Replace("new[] { 3, 3 }", "new[] { 3 }"));
        Expect(src, "MOT011").WithMessage("Depth of variant 'Large' has 1 entries but 'Net' has 2 stages (layer1, layer2)").At(src, "Depth = new[] { 3 }");
    }

    [Fact]
    public void MOT012_NotWhole()
    {
        var src = Model(variants: "[Variant(\"Small\")]\n[Variant(\"Large\", DepthMultiplier = 1.5)]");
        Expect(src, "MOT012").WithMessage("Variant 'Large': the block count of 'layer1' is 1 x 1.5 = 1.5; it must be a positive whole number").At(src, "DepthMultiplier = 1.5");
    }

    [Fact]
    public void MOT012_ZeroWidth()
    {
        var src = Model(variants: "[Variant(\"Small\")]\n[Variant(\"Large\", WidthMultiplier = 0.01)]");
        Expect(src, "MOT012").WithMessage("Variant 'Large': the output channels of 'conv1' is 16 x 0.01 = 0.16; it must be a positive whole number").At(src, "WidthMultiplier = 0.01");
    }

    [Fact]
    public void MOT013_BaseLargerDepth()
    {
        var src = Model(variants: "[Variant(\"Small\", Depth = new[] { 2, 3 })]\n[Variant(\"Large\", Depth = new[] { 3, 2 })]");
        Expect(src, "MOT013").WithMessage("'layer2' of base 'Small' has shape [3 blocks] but 'layer2' of motivated 'Large' has shape [2 blocks]; the base must fit inside the motivated model in every dimension")
            .At(src, "Depth = new[] { 3, 2 }");
    }

    [Fact]
    public void MOT013_BaseLargerWidth()
    {
        var src = Model(variants: "[Variant(\"Small\", Depth = new[] { 2, 2 }, Width = new[] { 16, 64 })]\n[Variant(\"Large\", Depth = new[] { 3, 3 }, Width = new[] { 16, 32 })]");
        Expect(src, "MOT013").WithMessage("'layer2.0.conv1.weight' of base 'Small' has shape [64, 16, 3, 3] but 'layer2.0.conv1.weight' of motivated 'Large' has shape [32, 16, 3, 3]; the base must fit inside the motivated model in every dimension")
            .At(src, "Width = new[] { 16, 32 }");
    }

    [Fact]
    public void MOT013_BaseWiderWithWidthArraysIsReportedBeforeTheShortcutsItChanges()
    {
        // The base's wider layer1 gives its first block a shortcut that the motivated one does not have: the width is
        // the cause, so MOT013 at Width is reported, not MOT018 "shortcuts differ" at Depth.
        var src = Model(variants: "[Variant(\"Small\", Depth = new[] { 2, 2 }, Width = new[] { 32, 32 })]\n[Variant(\"Large\", Depth = new[] { 3, 3 }, Width = new[] { 16, 32 })]");
        Expect(src, "MOT013").WithMessage("'layer1.0' of base 'Small' has shape [16 -> 32 channels] but 'layer1.0' of motivated 'Large' has shape [16 -> 16 channels]; the base must fit inside the motivated model in every dimension")
            .At(src, "Width = new[] { 16, 32 }");
    }

    [Fact]
    public void MOT014_ConvWithoutChannelsAtModelLevel()
    {
        var src = Model(stem: Stem.Replace("Conv2d(\"conv1\", 16,", "Conv2d(\"conv1\","));
        Expect(src, "MOT014").WithMessage("Layer 'conv1': a model-level Conv2d needs its output channels: Conv2d(name, outChannels)").At(src, "Conv2d(\"conv1\"");
    }

    [Fact]
    public void MOT014_ExpansionAtModelLevel()
    {
        var src = Model(stem: Stem.Replace("Bias = false", "Bias = false, Expansion = 2"));
        Expect(src, "MOT014").WithMessage("Layer 'conv1': Expansion only applies inside a [ScalableBlock]").At(src, "Expansion = 2");
    }

    [Fact]
    public void MOT015_SpatialCollapse()
    {
        var src = Model(head: "[MaxPool2d(16)]\n[MaxPool2d(2)]\n" + Head);
        Expect(src, "MOT015").WithMessage("Variant 'Small': layer 'MaxPool2d' turns input shape [32, 1, 1] into [32, 0, 0]; the spatial size must stay positive").At(src, "MaxPool2d(2)");
    }

    [Fact]
    public void MOT016_LinearWithoutFlatten()
    {
        var src = Model(head: "[GlobalAvgPool]\n[Linear(\"fc\")]");
        Expect(src, "MOT016").WithMessage("Linear layer 'fc' receives shape [32, 1, 1]; add [Flatten] (after [GlobalAvgPool]) before it").At(src, "Linear(\"fc\")");
    }

    [Fact]
    public void MOT017_NotABlock()
    {
        var src = Model(stages: "[Stage(\"layer1\", typeof(int), 16)]\n[Stage(\"layer2\", Block.Basic, 32, Stride = 2)]");
        Expect(src, "MOT017").WithMessage("Stage 'layer1' uses 'int', which is not a partial class marked [ScalableBlock] with layer attributes").At(src, "typeof(int)");
    }

    [Fact]
    public void MOT017_ClassWithoutScalableBlock()
    {
        var src = Model(stages: "[Stage(\"layer1\", typeof(Plain), 16)]\n[Stage(\"layer2\", Block.Basic, 32, Stride = 2)]") + "\n[Conv2d(\"c\")]\npublic partial class Plain { }\n";
        Expect(src, "MOT017").WithMessage("Stage 'layer1' uses 'Demo.Plain', which is not a partial class marked [ScalableBlock] with layer attributes").At(src, "typeof(Plain)");
    }

    [Fact]
    public void MOT018_StrideMismatchUnderLastToLast()
    {
        var src = Model(variants: "[Variant(\"Small\", Depth = new[] { 1, 1 })]\n[Variant(\"Large\", Depth = new[] { 2, 2 })]");
        Expect(src, "MOT018").WithMessage("'layer2.0' of base 'Small' maps to 'layer2.1' of motivated 'Large' but their strides differ (2 vs 1)").At(src, "Depth = new[] { 2, 2 }");
    }

    [Fact]
    public void MOT019_OptionAWithWidthScaling()
    {
        var src = Model(variants: "[Variant(\"Small\", Depth = new[] { 2, 2 })]\n[Variant(\"Large\", Depth = new[] { 3, 3 }, Width = new[] { 16, 48 })]",
            stages: "[Stage(\"layer1\", Block.Basic, 16)]\n[Stage(\"layer2\", Block.Basic, 32, Stride = 2, Shortcut = Shortcut.A)]");
        Expect(src, "MOT019").WithMessage("Stage 'layer2': the parameter-free option A shortcut pads 16 channels in 'Small' but 32 channels in 'Large', which moves base channels away from the prefix the weights map uses; use Shortcut = Shortcut.B or the same stage widths")
            .At(src, "Shortcut = Shortcut.A");
    }

    [Fact]
    public void MOT020_GroupsNotDividing()
    {
        var src = Model(stem: Stem.Replace("Bias = false", "Bias = false, Groups = 3").Replace("\"conv1\", 16", "\"conv1\", 16"));
        Expect(src, "MOT020").WithMessage("Convolution 'conv1' with 3 groups: input channels 3 and output channels 16 must both be divisible by the groups").At(src, "Groups = 3");
    }

    [Fact]
    public void MOT020_GroupedConvWithWidthScaling()
    {
        var src = Model(variants: "[Variant(\"Small\", Depth = new[] { 2, 2 })]\n[Variant(\"Large\", Depth = new[] { 3, 3 }, WidthMultiplier = 2)]",
            stem: "[Conv2d(\"conv1\", 16, Padding = 1, Bias = false)]\n[Conv2d(\"dw\", 16, Padding = 1, Groups = 16)]\n[BatchNorm2d(\"bn1\")]\n[ReLU]");
        Expect(src, "MOT020").WithMessage("Convolution 'dw' with 16 groups: base has 16 -> 16 channels but motivated has 32 -> 32; a channel prefix does not keep channels in the same group").At(src, "Groups = 16");
    }

    [Fact]
    public void MOT026_OutputNotClasses()
    {
        var src = Model(head: "[GlobalAvgPool]\n[Flatten]");
        Expect(src, "MOT026").WithMessage("Variant 'Small' of 'Net' outputs shape [32]; the last layer must output [10] (end with a Linear classifier)").At(src, "ScalableModel(");
    }

    [Fact]
    public void MOT027_NegativeKernel()
    {
        var src = Model(stem: Stem.Replace("Padding = 1", "Kernel = -3, Padding = 1"));
        Expect(src, "MOT027").WithMessage("Layer 'conv1': Kernel is -3; it must be a positive number").At(src, "Kernel = -3");
    }

    [Fact]
    public void MOT028_ReservedVariantName()
    {
        var src = Model(modelAttr: ModelAttr.Replace("\"Large\"", "\"Definition\""), variants: Variants.Replace("\"Large\"", "\"Definition\""));
        Expect(src, "MOT028").WithMessage("Variant name 'Definition' conflicts with a member the generator emits on 'Net'; choose another name").At(src, "\"Definition\", Depth");
    }

    [Fact]
    public void MOT028_LayerNamedLikeAVariant()
    {
        var src = Model(stem: Stem.Replace("\"bn1\"", "\"Small\""));
        Expect(src, "MOT028").WithMessage("Layer name 'Small' conflicts with a member the generator emits on 'Net'; choose another name").At(src, "\"Small\")]");
    }

    [Fact]
    public void MOT028_ReservedLayerName()
    {
        var src = Model(stem: Stem.Replace("\"bn1\"", "\"forward\""));
        Expect(src, "MOT028").WithMessage("Layer name 'forward' conflicts with a member the generator emits on 'Net'; choose another name").At(src, "\"forward\"");
    }

    [Fact]
    public void ModelSplitOverFilesIsValid()
    {
        var a = Header + ModelAttr + "\n" + Variants + "\npublic partial class Net { public int Extra => 1; }\n";
        var b = Header + Stem + "\n" + Stages + "\n" + Head + "\npublic partial class Net { }\n";
        var run = GeneratorHarness.Run(a, b);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrors);
    }

    [Fact]
    public void TwoUserBlocksWithTheSameNameInDifferentNamespaces()
    {
        const string blocks = "using MotivationDsl;\nnamespace X { [ScalableBlock][Conv2d(\"c\", Padding = 1, StageStride = true)][BatchNorm2d(\"bn\")] public partial class Blk { } }\n"
            + "namespace Y { [ScalableBlock][Conv2d(\"c\", Padding = 1, StageStride = true)] public partial class Blk { } }\n";
        var src = Model(stages: "[Stage(\"layer1\", typeof(X.Blk), 16)]\n[Stage(\"layer2\", typeof(Y.Blk), 32, Stride = 2)]");
        var run = GeneratorHarness.Run(src, blocks);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrors);
        var source = run.Source("Net")!;
        Assert.Contains("class BlkModule ", source);
        Assert.Contains("class BlkModule2 ", source);
    }

    [Fact]
    public void MOT014_PoolingInsideAResidualBlockNeedsTheStageStride()
    {
        // Pooling inside a block is supported; in a residual block the shortcut must subsample as much as the body.
        var block = "using MotivationDsl;\nnamespace Demo;\n[ScalableBlock]\n[Conv2d(\"conv1\", StageStride = true, Padding = 1)]\n[MaxPool2d(2)]\npublic partial class B { }\n";
        var src = Model(stages: "[Stage(\"layer1\", typeof(B), 16)]\n[Stage(\"layer2\", Block.Basic, 32, Stride = 2)]");
        Expect(src, "MOT014", block).WithMessage("Layer 'layer1.0': the block body outputs [16, 16, 16] but a stride-1 shortcut outputs [16, 32, 32]")
            .At(src, "Stage(\"layer1\"");
    }

    [Fact]
    public void AllDescriptorsHaveUniqueIdsAndAreDocumented()
    {
        var ids = DiagnosticDescriptors.All.Select(d => d.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var docs = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "diagnostics.md"));
        foreach (var id in ids) Assert.Contains("## " + id, docs);
    }

    [Fact]
    public void ValidModelHasNoDiagnostics()
    {
        var run = GeneratorHarness.Run(Model());
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrors);
    }

    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", ".."));

    [Fact]
    public void MOT029_HeadsDoNotDivideTheWidth()
    {
        var src = MiniViT.Replace("Heads = 4)]", "Heads = 5)]");
        Expect(src, "MOT029").WithMessage("Variant 'S': stage 'encoder.layers' has 5 attention heads, which do not divide its width 64").At(src, "Heads = 5");
    }

    [Fact]
    public void MOT030_KernelMismatch()
    {
        var src = MiniEfficientNet.Replace("DepthMultiplier = 1.2)]", "DepthMultiplier = 1.2, Kernels = new[] { 3, 3 })]");
        Expect(src, "MOT030").WithMessage("Stage 'features.2': the kernel differs between base 'S' (5) and motivated 'M' (3); mapped blocks need the same kernel and expansion ratio")
            .At(src, "Kernels = new[] { 3, 3 }");
    }

    [Fact]
    public void MOT030_ExpansionMismatch()
    {
        var src = MiniEfficientNet.Replace("DepthMultiplier = 1.2)]", "DepthMultiplier = 1.2, Expansions = new[] { 1, 4 })]");
        Expect(src, "MOT030").WithMessage("Stage 'features.2': the expansion differs between base 'S' (6) and motivated 'M' (4); mapped blocks need the same kernel and expansion ratio")
            .At(src, "Expansions = new[] { 1, 4 }");
    }

    [Fact]
    public void MOT031_SERatioMismatch()
    {
        var src = MiniEfficientNet.Replace("DepthMultiplier = 1.2)]", "DepthMultiplier = 1.2, SERatio = 0.5)]");
        Expect(src, "MOT031").WithMessage("Stage 'features.1': the squeeze-and-excitation ratio differs between base 'S' (0.25) and motivated 'M' (0.5); mapped blocks need the same ratio")
            .At(src, "SERatio = 0.5");
    }

    [Fact]
    public void MOT032_PatchSizeMismatch()
    {
        var src = MiniViT.Replace("Heads = 4)]", "Heads = 4, PatchSize = 4)]");
        Expect(src, "MOT032").WithMessage("Layer 'conv_proj': the patch size differs between base 'Ti' (8) and motivated 'S' (4); the patch embedding and the token sequence must match for the weights map")
            .At(src, "PatchSize = 4");
    }

    private const string Preserving = "[ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = \"Small\", Motivated = \"Large\", Growth = Growth.FunctionPreserving)]";

    [Fact]
    public void MOT033_ExtraBlockFirstInStageBeforeReLU()
    {
        var src = Model(modelAttr: Preserving, variants: "[Variant(\"Small\", Depth = new[] { 1, 2 })]\n[Variant(\"Large\", Depth = new[] { 3, 2 })]",
            stages: "[Stage(\"layer1\", Block.Basic, 16, DepthMap = DepthMap.LastToLast)]\n[Stage(\"layer2\", Block.Basic, 32, Stride = 2)]");
        Expect(src, "MOT033").WithMessage("Function-preserving growth Small -> Large: extra block 'layer1.0' cannot start as an identity: it is the first block of its stage and applies ReLU after the residual add, so it is an identity only for non-negative input; place the base's blocks first (DepthMap.FirstL)")
            .At(src, "Growth = Growth.FunctionPreserving");
    }

    [Fact]
    public void MOT033_ExtraUserBlockWithoutResidual()
    {
        var model = UserBlockModel.Replace("[Variant(\"Tiny\"", "[Pair(\"Tiny\", \"Wide\", Growth = Growth.FunctionPreserving)]\n            [Variant(\"Tiny\"");
        var block = UserBlock.Replace("[ScalableBlock(ReLUAfterAdd = false)]", "[ScalableBlock(Residual = false)]");
        Expect(model, "MOT033", block).WithMessage("Function-preserving growth Tiny -> Wide: extra block 'stage1.1' cannot start as an identity: [ScalableBlock] PreActBlock has no residual path (Residual = false), so its output is never its input")
            .At(model, "Pair(\"Tiny\", \"Wide\", Growth");
    }

    [Fact]
    public void MOT034_HeadDimensionGrows()
    {
        var src = MiniViT.Replace("Motivated = \"S\")]", "Motivated = \"S\", Growth = Growth.FunctionPreserving)]").Replace("WidthMultiplier = 2, Heads = 4)]", "WidthMultiplier = 2, Heads = 2)]");
        Expect(src, "MOT034").WithMessage("Function-preserving growth Ti -> S: 'encoder.layers attention' cannot start as the base's function: the head dimension grows from 16 to 32, and attention scores are scaled by 1/sqrt(head dimension); keep the head dimension and add heads")
            .At(src, "Heads = 2)]\n[PatchEmbedding");
    }

    [Fact]
    public void MOT034_LayerNormWidthNotAWholeMultiple()
    {
        var src = MiniViT.Replace("Motivated = \"S\")]", "Motivated = \"S\", Growth = Growth.FunctionPreserving)]").Replace("WidthMultiplier = 2, Heads = 4)]", "WidthMultiplier = 1.5, Heads = 3)]");
        Expect(src, "MOT034").WithMessage("Function-preserving growth Ti -> S: 'conv_proj.weight' cannot start as the base's function: it feeds a LayerNorm, so its 16 extra features must repeat the base's 32 to keep the normalisation's statistics, which needs a whole multiple (48 is not)")
            .At(src, "Stage(\"encoder.layers\"");
    }

    [Fact]
    public void MOT027_InvalidGrowth()
    {
        var src = Model(modelAttr: ModelAttr.Replace(")]", ", Growth = (Growth)7)]"));
        Expect(src, "MOT027").WithMessage("Layer 'Net': Growth is 7; use Growth.Paper or Growth.FunctionPreserving").At(src, "Growth = (Growth)7");
    }

    [Fact]
    public void MOT013_MotivatedHasFewerHeads()
    {
        var src = MiniViT.Replace("Heads = 4)]", "Heads = 1)]");
        Expect(src, "MOT013").At(src, "Heads = 1");
    }

    [Fact]
    public void MOT006_UnknownPairVariant()
    {
        var src = MiniViT.Replace("[Variant(\"Ti\"", "[Pair(\"Ti\", \"XL\")]\n[Variant(\"Ti\"");
        Expect(src, "MOT006").At(src, "Pair(");
    }

    [Fact]
    public void DepthwiseConvolutionScalesWithWidth()
    {
        // MOT020 rejects grouped convolutions whose width changes; a depthwise convolution is per channel and is accepted.
        var src = Model(stem: "[Conv2d(\"conv1\", 16, Padding = 1, Bias = false)]\n[Conv2d(\"dw\", 16, Padding = 1, Depthwise = true, Bias = false)]\n[BatchNorm2d(\"bn1\")]\n[ReLU]",
            variants: "[Variant(\"Small\", Depth = new[] { 2, 2 })]\n[Variant(\"Large\", Depth = new[] { 3, 3 }, WidthMultiplier = 2)]");
        var run = GeneratorHarness.Run(src);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrors);
        Assert.Contains("{ \"base\": \"dw.weight\", \"motivated\": \"dw.weight\", \"kind\": \"parameter\", \"baseShape\": [16, 1, 3, 3], \"motivatedShape\": [32, 1, 3, 3],",
            GeneratorHarness.Manifest(run.Source("Net")!).Replace("\n      ", " "));
    }

    [Fact]
    public void MOT009_LayerNameIsAlsoAContainer()
    {
        var src = Model(stem: "[Conv2d(\"stem\", 16, Padding = 1, Bias = false)]\n[BatchNorm2d(\"stem.bn\")]\n[ReLU]");
        Expect(src, "MOT009").WithMessage("Conv2d name 'stem' is not usable: another layer's name continues it (stem.bn), so it would be both a layer and a container")
            .At(src, "\"stem\", 16");
    }

    [Fact]
    public void MOT027_ChannelsTooLargeSaysSo()
    {
        // 2,000,000,000 channels: the reason is the size, not "a positive whole number".
        var src = Model(stages: "[Stage(\"layer1\", Block.Basic, 2000000000)]\n[Stage(\"layer2\", Block.Basic, 32, Stride = 2)]");
        Expect(src, "MOT027").WithMessage("Layer 'layer1': channels is 2000000000; it is too large: at most 1000000").At(src, "2000000000");
        var conv = Model(stem: "[Conv2d(\"conv1\", 2000000000, Padding = 1, Bias = false)]\n[BatchNorm2d(\"bn1\")]\n[ReLU]");
        Expect(conv, "MOT027").WithMessage("Layer 'conv1': outChannels is 2000000000; it is too large: at most 1000000").At(conv, "2000000000");
        var width = Model(variants: "[Variant(\"Small\", Depth = new[] { 2, 2 })]\n[Variant(\"Large\", Depth = new[] { 3, 3 }, Width = new[] { 16, 2000000000 })]");
        Expect(width, "MOT027").WithMessage("Layer 'Large': Width is 2000000000; it is too large: at most 1000000").At(width, "Width =");
    }

    [Fact]
    public void MOT014_ArgumentsThatWouldBeIgnored()
    {
        var depth = Model(variants: "[Variant(\"Small\", Depth = new[] { 2, 2 })]\n[Variant(\"Large\", Depth = new[] { 3, 3 }, DepthMultiplier = 2)]");
        Expect(depth, "MOT014").WithMessage("Layer 'Large': DepthMultiplier is ignored next to Depth, which sets every stage's block count; remove one of them")
            .At(depth, "DepthMultiplier");
        var width = Model(variants: "[Variant(\"Small\", Depth = new[] { 2, 2 })]\n[Variant(\"Large\", Depth = new[] { 3, 3 }, Width = new[] { 16, 32 }, WidthMultiplier = 2)]");
        Expect(width, "MOT014").WithMessage("Layer 'Large': WidthMultiplier would scale the model-level layers but not the stages, whose channels Width sets; remove one of them")
            .At(width, "WidthMultiplier");
        var kernels = MiniViT.Replace("[Variant(\"S\", WidthMultiplier = 2, Heads = 4)]", "[Variant(\"S\", WidthMultiplier = 2, Heads = 4, Kernels = new[] { 3 })]");
        Expect(kernels, "MOT014").WithMessage("Layer 'S': Kernels applies to convolution stages (MBConv, Basic, Bottleneck, [ScalableBlock]), and stage 'encoder.layers' is made of Encoder blocks")
            .At(kernels, "Kernels");
        var kernel = Model(stages: "[Stage(\"layer1\", Block.Basic, 16, Kernel = 5)]\n[Stage(\"layer2\", Block.Basic, 32, Stride = 2)]");
        Expect(kernel, "MOT014").WithMessage("Layer 'layer1': Kernel applies to MBConv stages only; Basic blocks set their kernels themselves")
            .At(kernel, "Kernel = 5");
    }

    [Fact]
    public void MOT035_TwoVariantsWithTheSameStructureWarn()
    {
        var src = Model(modelAttr: "[ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = \"Small\", Motivated = \"Large\")]",
            variants: "[Variant(\"Small\", Depth = new[] { 2, 2 })]\n[Variant(\"Same\", Depth = new[] { 2, 2 })]\n[Variant(\"Large\", Depth = new[] { 3, 3 })]");
        var run = GeneratorHarness.Run(src);
        var d = Assert.Single(run.Mot);
        Assert.Equal(("MOT035", DiagnosticSeverity.Warning), (d.Id, d.Severity));
        Assert.Equal("Variants 'Small' and 'Same' of 'Net' have the same tensors and sizes; one of them is probably not the size you meant", d.GetMessage());
        Assert.Equal(src.Split('\n').ToList().FindIndex(l => l.Contains("\"Same\"")), d.Location.GetLineSpan().StartLinePosition.Line);
        Assert.NotEmpty(run.Result.Results.Single().GeneratedSources); // a warning: the code is still generated
        Assert.Empty(run.OutputErrors);
    }

    /// <summary>A plain (non-residual) user block over a 1-channel input: its first block's input is the image.</summary>
    private const string PlainBlockModel = """
        using MotivationDsl;

        namespace Demo;

        [ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 10, Base = "Small", Motivated = "Large")]
        [Variant("Small", Depth = new[] { 1 })]
        [Variant("Large", Depth = new[] { 2 })]
        [Stage("features", typeof(Plain), 32)]
        [GlobalAvgPool]
        [Flatten]
        [Linear("fc")]
        public partial class Net
        {
        }

        [ScalableBlock(Residual = false)]
        [Conv2d("conv", Kernel = 3, Padding = 1)]
        [ReLU]
        public partial class Plain
        {
        }
        """;

    [Fact]
    public void MOT099_FirstBlockMappedOntoALaterBlock()
    {
        // Last-to-last with one base block maps features.0 (input: the image, 1 channel) onto features.1 (input: 32
        // channels of features.0's output): conv.weight [32, 1, 3, 3] would land in input channel 0 of [32, 32, 3, 3].
        Expect(PlainBlockModel, "MOT099").WithMessage("'features.0' of base 'Small' maps to 'features.1' of motivated 'Large', a block with another role: " +
                "the base block is its stage's first (its input is the stage's input, 1 channels) but the motivated block follows another block (its input is 32 channels of that block's output); " +
                "give the base at least 2 blocks or map first blocks to first blocks (DepthMap = DepthMap.FirstL)")
            .At(PlainBlockModel, "Depth = new[] { 2 }");
    }

    [Fact]
    public void FirstBlockMappedOntoALaterBlockOfTheSameShapeIsValid()
    {
        // With the stage's input as wide as its blocks (and a stride of 1) the first block has the later blocks' role.
        var src = PlainBlockModel.Replace("new[] { 1, 28, 28 }", "new[] { 32, 28, 28 }");
        var run = GeneratorHarness.Run(src);
        Assert.Empty(run.Mot);
        Assert.Empty(run.OutputErrors);
        Assert.Contains("\"motivated\": \"features.1.conv.weight\"", GeneratorHarness.Manifest(run.Source("Map")!));
    }

    [Fact]
    public void FirstLMapsTheFirstBlockOfAPlainStageToTheFirstBlock()
    {
        var src = PlainBlockModel.Replace("Motivated = \"Large\")]", "Motivated = \"Large\", DepthMap = DepthMap.FirstL)]");
        var run = GeneratorHarness.Run(src);
        Assert.Empty(run.Mot);
        Assert.Empty(run.OutputErrors);
        Assert.Contains("\"motivated\": \"features.0.conv.weight\"", GeneratorHarness.Manifest(run.Source("Map")!));
    }

    [Fact]
    public void GeneratedNamesDoNotHideAUserNamespaceNamedBlocks()
    {
        // Code inside the model class that names the user's namespace Blocks must still bind to it (was CS0426: the
        // generated nested class Blocks hid the namespace).
        var model = Model(header: "using MotivationDsl;\n\nnamespace Demo.Models;\n\n",
            cls: "public partial class Net\n{\n    public static int Helper => Blocks.Helpers.Value;\n}\n");
        const string user = "namespace Demo.Blocks;\n\npublic static class Helpers { public const int Value = 1; }\n";
        var run = GeneratorHarness.Run(model, user);
        Assert.Empty(run.Mot);
        Assert.Empty(run.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.NotEmpty(run.Result.Results.Single().GeneratedSources);
        Assert.Empty(run.OutputErrors);
    }

    [Fact]
    public void NonConstantArgumentGivesOnlyTheCompilersError()
    {
        // CS0182 is the compiler's; no "MOT027 ... Classes is 0" on top of it, and no code for the model.
        var src = Model(modelAttr: "[ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = int.MaxValue / Holder.N, Base = \"Small\", Motivated = \"Large\")]",
            cls: "public partial class Net\n{\n}\npublic static class Holder { public static int N = 1; }\n");
        var run = GeneratorHarness.Run(src);
        Assert.Empty(run.Mot);
        Assert.Empty(run.Result.Results.SelectMany(r => r.GeneratedSources));
        Assert.Contains(run.Input.GetDiagnostics(), d => d.Id == "CS0182");
    }
}

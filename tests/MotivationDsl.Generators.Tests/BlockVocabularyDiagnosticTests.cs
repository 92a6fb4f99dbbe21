using Xunit;
using static MotivationDsl.Generators.Tests.DiagnosticTests;
using static MotivationDsl.Generators.Tests.VocabularySources;

namespace MotivationDsl.Generators.Tests;

/// <summary>The rules of Linear, LayerNorm, Flatten and pooling inside user blocks: id, exact message, location.</summary>
public class BlockVocabularyDiagnosticTests
{
    [Fact]
    public void BlockLayersModelIsValid()
    {
        var run = GeneratorHarness.Run(BlockLayers);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrors);
    }

    [Fact]
    public void MOT060_FlattenOfAnInputSizedImage()
    {
        var src = BlockLayers.Replace("[AdaptiveMaxPool2d(2)]\n[Flatten]", "[Flatten]");
        Expect(src, "MOT060").WithMessage("Flatten in block 'head.0' receives [8, 4, 4], whose spatial size follows the model's input size; a block's module is built from channel counts only, so put an AdaptiveAvgPool2d, AdaptiveMaxPool2d or GlobalAvgPool before it in the block, or flatten at model level")
            .At(src, "Flatten]\n[Linear(\"fc\")]");
    }

    [Fact]
    public void MOT061_ResidualBlockOnFeaturesChangesItsWidth()
    {
        var src = BlockLayers.Replace("[Linear(\"fc2\")]", "[Linear(\"fc2\", Expansion = 2)]");
        Expect(src, "MOT061").WithMessage("Block 'mlp.0' is residual but turns [16] into [32]; a shortcut that changes the shape exists for images [C, H, W] only, so set Residual = false on the [ScalableBlock] or keep the shape")
            .At(src, "Stage(\"mlp\"");
    }

    [Fact]
    public void MOT016_LinearOnAnImageInsideABlock()
    {
        var src = BlockLayers.Replace("[AdaptiveMaxPool2d(2)]\n[Flatten]\n", "");
        Expect(src, "MOT016").WithMessage("Linear layer 'head.0.fc' receives shape [8, 4, 4]; add [Flatten] (after [GlobalAvgPool]) before it")
            .At(src, "Linear(\"fc\")");
    }

    [Fact]
    public void MOT014_LayerNormOnAnImageInsideABlock()
    {
        var src = BlockLayers.Replace("[BatchNorm2d(\"bn\")]", "[LayerNorm(\"bn\")]");
        Expect(src, "MOT014").WithMessage("Layer 'bn': LayerNorm normalises features but receives [8, 8, 8] in features.0; add [Flatten] (after an adaptive pooling) before it")
            .At(src, "LayerNorm(\"bn\")");
    }

    [Fact]
    public void MOT014_AnImageLayerAfterTheBlockFlattened()
    {
        // A second head block receives the first one's features.
        var src = BlockLayers.Replace("Depth = new[] { 2, 1, 2 }", "Depth = new[] { 2, 2, 2 }");
        Expect(src, "MOT014").WithMessage("Layer 'AdaptiveMaxPool2d': AdaptiveMaxPool2d needs a [C, H, W] input but receives [24] in head.1")
            .At(src, "AdaptiveMaxPool2d(2)");
    }

    [Fact]
    public void MOT014_LinearWithItsOwnWidthInsideABlock()
    {
        var src = BlockLayers.Replace("[Linear(\"fc\")]", "[Linear(\"fc\", 32)]");
        Expect(src, "MOT014").WithMessage("Layer 'fc': inside a [ScalableBlock] a Linear takes its output features from the stage: use Linear(name) with Expansion")
            .At(src, "32)]");
    }

    [Fact]
    public void MOT014_ExpansionOnAModelLevelLinear()
    {
        var src = BlockLayers.Replace("[Linear(\"classifier\")]", "[Linear(\"classifier\", Expansion = 2)]");
        Expect(src, "MOT014").WithMessage("Layer 'classifier': Expansion only applies inside a [ScalableBlock]").At(src, "Expansion = 2)]\npublic partial class BlockLayerNet");
    }

    [Fact]
    public void MOT027_AdaptivePoolingToNothing()
    {
        var src = BlockLayers.Replace("[AdaptiveAvgPool2d(8)]", "[AdaptiveAvgPool2d(0)]");
        Expect(src, "MOT027").WithMessage("Layer 'AdaptiveAvgPool2d': outputSize is 0; it must be a positive number").At(src, "0)]");
    }

    [Fact]
    public void MOT034_FunctionPreservingGrowthThroughAWidenedLayerNormInABlock()
    {
        var src = BlockLayers.Replace("Motivated = \"L\")]", "Motivated = \"L\", Growth = Growth.FunctionPreserving)]")
            .Replace("[Stage(\"features\", typeof(PoolBlock), 8, DepthMap = DepthMap.FirstL)]", "[Stage(\"features\", typeof(PoolBlock), 8, DepthMap = DepthMap.FirstL, Growth = Growth.Paper)]");
        Expect(src, "MOT034").WithMessage("Function-preserving growth S -> L: 'head.0.norm' cannot start as the base's function: this LayerNorm inside a [ScalableBlock] widens from 16 to 24 features, and its mean and variance span all of them; keep the stage's width or use Growth.Paper")
            .At(src, "Width = new[] { 12, 24, 24 }");
    }

    [Fact]
    public void MOT014_SqueezeExcitationAtModelLevel()
    {
        var src = BlockLayers.Replace("[AdaptiveAvgPool2d(8)]", "[SqueezeExcitation(\"se\")]\n[AdaptiveAvgPool2d(8)]");
        Expect(src, "MOT014").WithMessage("Layer 'se': SqueezeExcitation only applies inside a [ScalableBlock]").At(src, "SqueezeExcitation(\"se\")]\n[AdaptiveAvgPool2d(8)]");
    }

    [Fact]
    public void MOT014_SqueezeExcitationOnFeatures()
    {
        var src = BlockLayers.Replace("[Linear(\"fc2\")]", "[Linear(\"fc2\")]\n[SqueezeExcitation(\"se\")]");
        Expect(src, "MOT014").WithMessage("Layer 'se': SqueezeExcitation needs a [C, H, W] input but receives [16] in mlp.0").At(src, "SqueezeExcitation(\"se\")]\npublic partial class MlpBlock");
    }

    [Fact]
    public void MOT027_SqueezeExcitationRatio()
    {
        var src = BlockLayers.Replace("[SqueezeExcitation(\"se\")]", "[SqueezeExcitation(\"se\", Ratio = 0)]");
        Expect(src, "MOT027").WithMessage("Layer 'se': Ratio is 0; it must be in (0, 1]").At(src, "Ratio = 0");
    }

    [Fact]
    public void MOT033_ResidualBranchEndingWithSqueezeExcitationCannotStartAsAnIdentity()
    {
        // An extra block whose branch ends with SE: zeroing fc2 scales by sigmoid(0) = 0.5 instead of giving zero.
        var block = "using MotivationDsl;\nnamespace Demo;\n[ScalableBlock(ReLUAfterAdd = false)]\n[Conv2d(\"conv1\", Padding = 1)]\n[SqueezeExcitation(\"se\")]\npublic partial class SeBlock { }\n";
        var src = Sources.Model(modelAttr: Sources.ModelAttr.Replace("Motivated = \"Large\")", "Motivated = \"Large\", Growth = Growth.FunctionPreserving)"),
            stages: "[Stage(\"layer1\", typeof(SeBlock), 16)]\n[Stage(\"layer2\", Block.Basic, 32, Stride = 2)]");
        Expect(src, "MOT033", block).WithMessage("Function-preserving growth Small -> Large: extra block 'layer1.2' cannot start as an identity: the last parametrised layer of [ScalableBlock] SeBlock is squeeze-and-excitation 'se', which scales its input (by sigmoid(0) = 0.5 when zeroed), so the residual branch cannot start at zero")
            .At(src, "Growth = Growth.FunctionPreserving");
    }
}

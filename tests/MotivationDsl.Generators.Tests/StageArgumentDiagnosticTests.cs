using Xunit;
using static MotivationDsl.Generators.Tests.DiagnosticTests;
using static MotivationDsl.Generators.Tests.Sources;
using static MotivationDsl.Generators.Tests.VocabularySources;

namespace MotivationDsl.Generators.Tests;

/// <summary>
/// Stage and layer arguments that used to be dropped or fixed: a stride no layer takes (MOT014), the squeeze-and-excitation
/// activation, and the model's task read from the manifest.
/// </summary>
public class StageArgumentDiagnosticTests
{
    [Fact]
    public void MOT014_StrideOnANonResidualStageWhoseBlockTakesNoStride()
    {
        var src = BlockLayers.Replace("[Stage(\"head\", typeof(HeadBlock), 16)]", "[Stage(\"head\", typeof(HeadBlock), 16, Stride = 2)]");
        Expect(src, "MOT014").WithMessage("Layer 'head': Stride would be ignored: no layer of [ScalableBlock] HeadBlock takes the stage's stride (StageStride = true on a Conv2d) and the block has no residual shortcut that would subsample")
            .At(src, "Stride = 2");
    }

    [Fact]
    public void MOT014_StrideOnATokenStage()
    {
        var src = MiniViT.Replace("Blocks = 2, Heads = 2,", "Blocks = 2, Stride = 2, Heads = 2,");
        Expect(src, "MOT014").WithMessage("Layer 'encoder.layers': Stride applies to image stages; Encoder blocks run on a token sequence, which they do not subsample")
            .At(src, "Stride = 2");
    }

    [Fact]
    public void SqueezeExcitationTakesTheActivationOfTheDsl()
    {
        var src = BlockLayers.Replace("[SqueezeExcitation(\"se\")]", "[SqueezeExcitation(\"se\", Activation = SqueezeActivation.SiLU)]");
        var run = GeneratorHarness.Run(src);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrors);
        var blocks = run.Result.Results.Single().GeneratedSources.Single(g => g.HintName.EndsWith(".Blocks.g.cs", StringComparison.Ordinal));
        Assert.Contains("new __Dsl.SqueezeExcitationModule(channels: __c, ratio: 0.25, activation: __Dsl.SqueezeActivation.SiLU);", blocks.SourceText.ToString());
        // The default stays ReLU and is not written.
        Assert.Contains("new __Dsl.SqueezeExcitationModule(channels: __c, ratio: 0.25);", GeneratorHarness.Run(BlockLayers).Result.Results.Single()
            .GeneratedSources.Single(g => g.HintName.EndsWith(".Blocks.g.cs", StringComparison.Ordinal)).SourceText.ToString());
    }

    [Fact]
    public void MOT027_AnUnknownSqueezeActivation()
    {
        var src = BlockLayers.Replace("[SqueezeExcitation(\"se\")]", "[SqueezeExcitation(\"se\", Activation = (SqueezeActivation)7)]");
        Expect(src, "MOT027").WithMessage("Layer 'se': Activation is 7; use SqueezeActivation.ReLU, SqueezeActivation.SiLU or SqueezeActivation.GELU")
            .At(src, "Activation = (SqueezeActivation)7");
    }

    [Fact]
    public void TheManifestStatesALanguageModelsTask()
    {
        var gpt = GeneratorHarness.Manifest(GeneratorHarness.Run(MiniGpt).Source("MiniGpt")!);
        Assert.Contains("\"task\": \"language-model\"", gpt);
        var resnet = GeneratorHarness.Manifest(GeneratorHarness.Run(ResNetCifar).Source("ResNetCifar")!);
        Assert.DoesNotContain("\"task\"", resnet);
    }
}

using Xunit;
using static MotivationDsl.Generators.Tests.DiagnosticTests;
using static MotivationDsl.Generators.Tests.VocabularySources;

namespace MotivationDsl.Generators.Tests;

/// <summary>A stage only the motivated variant has: Depth 0 in the base.</summary>
public class ExtraStageDiagnosticTests
{
    [Fact]
    public void NoBaseTensorMapsIntoTheExtraStage()
    {
        var run = GeneratorHarness.Run(ExtraStage);
        Assert.Empty(run.GeneratorDiagnostics);
        using var doc = System.Text.Json.JsonDocument.Parse(GeneratorHarness.Manifest(run.Source("ExtraStageNet")!));
        var map = doc.RootElement.GetProperty("map").EnumerateArray().ToList();
        Assert.DoesNotContain(map, e => e.GetProperty("motivated").GetString()!.StartsWith("layer2.", StringComparison.Ordinal));
        var linear = map.Single(e => e.GetProperty("base").GetString() == "linear.weight");
        Assert.Equal("[5,32]", linear.GetProperty("motivatedShape").GetRawText().Replace(" ", ""));
        Assert.Equal("[[0,5],[0,16]]", linear.GetProperty("region").GetRawText().Replace(" ", ""));
    }

    [Fact]
    public void MOT012_NegativeDepth()
    {
        var src = ExtraStage.Replace("Depth = new[] { 1, 0 }", "Depth = new[] { 1, -1 }");
        Expect(src, "MOT012").WithMessage("Variant 'S': the block count of 'layer2' is -1 x 1 = -1; it must be a positive whole number").At(src, "Depth = new[] { 1, -1 }");
    }

    [Fact]
    public void MOT013_TheBaseHasTheStageButTheMotivatedNot()
    {
        var src = ExtraStage.Replace("Base = \"S\", Motivated = \"L\"", "Base = \"L\", Motivated = \"S\"");
        var run = GeneratorHarness.Run(src);
        Assert.Contains(run.Mot, d => d.Id == "MOT013" && d.GetMessage().StartsWith("'layer2' of base 'L' has shape [2 blocks] but 'layer2' of motivated 'S' has shape [0 blocks]", StringComparison.Ordinal));
    }

    [Fact]
    public void MOT033_AnExtraStageOfBasicBlocksCannotStartAsTheIdentity()
    {
        var src = ExtraStage.Replace("Motivated = \"L\")]", "Motivated = \"L\", Growth = Growth.FunctionPreserving)]");
        Expect(src, "MOT033").WithMessage("Function-preserving growth S -> L: extra block 'layer2.0' cannot start as an identity: it changes the shape from [16, 16, 16] to [32, 8, 8]; place the base's blocks first (DepthMap.FirstL) so that the extra blocks keep the shape")
            .At(src, "Growth = Growth.FunctionPreserving");
    }
}

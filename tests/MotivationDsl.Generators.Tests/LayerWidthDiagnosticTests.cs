using Xunit;
using static MotivationDsl.Generators.Tests.DiagnosticTests;
using static MotivationDsl.Generators.Tests.VocabularySources;

namespace MotivationDsl.Generators.Tests;

/// <summary>[LayerWidth(variant, layer, width)]: what it may name, and the map it gives.</summary>
public class LayerWidthDiagnosticTests
{
    private const string Stem = "[LayerWidth(\"L\", \"stem\", 12)]";

    [Fact]
    public void SetsTheWidthOfOneLayerInOneVariant()
    {
        var run = GeneratorHarness.Run(BlockLayers);
        Assert.Empty(run.GeneratorDiagnostics);
        using var doc = System.Text.Json.JsonDocument.Parse(GeneratorHarness.Manifest(run.Source("BlockLayerNet")!));
        var map = doc.RootElement.GetProperty("map").EnumerateArray().ToList();
        var stem = map.Single(e => e.GetProperty("base").GetString() == "stem.weight");
        Assert.Equal("[12,3,3,3]", stem.GetProperty("motivatedShape").GetRawText().Replace(" ", ""));
        var conv = map.Single(e => e.GetProperty("base").GetString() == "features.0.conv.weight");
        Assert.Equal("[[0,8],[0,8],[0,3],[0,3]]", conv.GetProperty("region").GetRawText().Replace(" ", ""));
        Assert.Equal("[12,12,3,3]", conv.GetProperty("motivatedShape").GetRawText().Replace(" ", ""));
    }

    [Fact]
    public void MOT006_UnknownVariant()
    {
        var src = BlockLayers.Replace(Stem, "[LayerWidth(\"XL\", \"stem\", 12)]");
        Expect(src, "MOT006").WithMessage("LayerWidth variant 'XL' is not declared on 'BlockLayerNet'; declared variants: S, F, L").At(src, "LayerWidth(\"XL\"");
    }

    [Theory]
    [InlineData("nope", "is not a model-level layer of 'BlockLayerNet'")]
    [InlineData("features", "is a stage, whose channels the variant's Width sets")]
    [InlineData("classifier", "is the classifier, which outputs the class count")]
    public void MOT064_LayerWithoutItsOwnWidth(string layer, string why)
    {
        var src = BlockLayers.Replace(Stem, $"[LayerWidth(\"L\", \"{layer}\", 12)]");
        Expect(src, "MOT064").WithMessage($"[LayerWidth] for layer '{layer}' in variant 'L': the layer {why}; LayerWidth sets the output channels of a model-level Conv2d (not depthwise), hidden Linear or PatchEmbedding")
            .At(src, $"LayerWidth(\"L\", \"{layer}\"");
    }

    [Fact]
    public void MOT064_SetTwice()
    {
        var src = BlockLayers.Replace(Stem, Stem + "\n[LayerWidth(\"L\", \"stem\", 16)]");
        Expect(src, "MOT064").WithMessage("[LayerWidth] for layer 'stem' in variant 'L': the layer has its width set twice for this variant; LayerWidth sets the output channels of a model-level Conv2d (not depthwise), hidden Linear or PatchEmbedding")
            .At(src, "LayerWidth(\"L\", \"stem\", 16)");
    }

    [Fact]
    public void MOT027_NotPositive()
    {
        var src = BlockLayers.Replace(Stem, "[LayerWidth(\"L\", \"stem\", 0)]");
        Expect(src, "MOT027").WithMessage("Layer 'LayerWidth': width is 0; it must be positive").At(src, "LayerWidth(\"L\", \"stem\", 0)");
    }

    [Fact]
    public void MOT013_BaseWiderThanMotivated()
    {
        var src = BlockLayers.Replace(Stem, Stem + "\n[LayerWidth(\"S\", \"stem\", 16)]");
        var run = GeneratorHarness.Run(src);
        var d = Assert.Single(run.Mot);
        Assert.Equal("MOT013", d.Id);
        Assert.StartsWith("'stem.weight' of base 'S' has shape [16, 3, 3, 3] but 'stem.weight' of motivated 'L' has shape [12, 3, 3, 3]", d.GetMessage());
    }
}

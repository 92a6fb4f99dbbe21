using System.Text.Json;
using Xunit;

namespace MotivationDsl.Generators.Tests;

/// <summary>The generated code states maps packed; the runtime and the build task expand them (ManifestPacking).</summary>
public class ManifestPackingTests
{
    [Fact]
    public void ARunStandsForEachTensorOfEachBlockPairWithTheDefaultsFilledIn()
    {
        const string packed = """
            { "schema": "motivationdsl.manifest/1", "base": "S", "motivated": "L", "map": [
              ["conv1.weight", [16, 3, 3, 3]],
              { "blocks": "layer1.", "pairs": [[0, 0], [1, 3]], "tensors": [
                ["conv.weight", [16, 16, 3, 3], { "motivatedShape": [24, 16, 3, 3] }],
                ["bn.running_mean", [16], { "kind": "buffer", "motivatedShape": [24] }]] },
              ["fc.weight", [10, 16], { "motivated": "head.weight", "motivatedShape": [10, 24], "region": [[0, 10], [0, 16]],
                "pieces": [{ "base": [[0, 10], [0, 16]], "motivated": [[0, 10], [0, 16]] }] }]
            ] }
            """;
        var expanded = ManifestPacking.Expand(packed);
        using var doc = JsonDocument.Parse(expanded);
        var map = doc.RootElement.GetProperty("map").EnumerateArray().ToList();
        Assert.Equal(new[] { "conv1.weight", "layer1.0.conv.weight", "layer1.0.bn.running_mean", "layer1.1.conv.weight", "layer1.1.bn.running_mean", "fc.weight" },
            map.Select(e => e.GetProperty("base").GetString()));
        Assert.Equal(new[] { "conv1.weight", "layer1.0.conv.weight", "layer1.0.bn.running_mean", "layer1.3.conv.weight", "layer1.3.bn.running_mean", "head.weight" },
            map.Select(e => e.GetProperty("motivated").GetString()));
        Assert.Equal(new[] { "parameter", "parameter", "buffer", "parameter", "buffer", "parameter" }, map.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal("[[0, 16], [0, 3], [0, 3], [0, 3]]", map[0].GetProperty("region").GetRawText());
        Assert.Equal("[16, 3, 3, 3]", map[0].GetProperty("motivatedShape").GetRawText());
        Assert.Equal("[24, 16, 3, 3]", map[3].GetProperty("motivatedShape").GetRawText());
        Assert.Equal("[[0, 16], [0, 16], [0, 3], [0, 3]]", map[3].GetProperty("region").GetRawText());
        Assert.Equal(1, map[5].GetProperty("pieces").GetArrayLength());
        Assert.Equal("L", doc.RootElement.GetProperty("motivated").GetString());
        // The runtime reads the packed and the expanded form alike.
        Assert.Equal(ManifestMap.Parse(packed).Entries.Select(e => (e.BaseName, e.MotivatedName)),
            ManifestMap.Parse(expanded).Entries.Select(e => (e.BaseName, e.MotivatedName)));
        Assert.Equal(expanded, ManifestPacking.Expand(expanded)); // an expanded manifest is left as it is
    }

    [Theory]
    [InlineData("[1,2,3]")]
    [InlineData("{\"v\":2}")]
    [InlineData("{}")]
    public void JsonThatIsNotAPackedManifestIsReturnedUnchanged(string json) => Assert.Equal(json, ManifestPacking.Expand(json));

    [Theory]
    [InlineData("ResNetCifar")]
    [InlineData("WideBottleneck")]
    [InlineData("MiniEfficientNet")]
    [InlineData("MiniViT")]
    [InlineData("GrowingViT")]
    public void ThePackedManifestExpandsToOneEntryPerBaseTensorWithinTheMotivatedShapes(string name)
    {
        var run = GeneratorHarness.Run((string)typeof(Sources).GetField(name)!.GetValue(null)!);
        Assert.Empty(run.GeneratorDiagnostics);
        var source = run.Source(".Map.")!;
        Assert.True(GeneratorHarness.PackedManifest(source).Length < GeneratorHarness.Manifest(source).Length);
        using var doc = JsonDocument.Parse(GeneratorHarness.Manifest(source));
        var map = doc.RootElement.GetProperty("map").EnumerateArray().ToList();
        Assert.Equal(map.Count, map.Select(e => e.GetProperty("base").GetString()).Distinct().Count());
        foreach (var e in map)
        {
            var baseShape = e.GetProperty("baseShape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            var motivatedShape = e.GetProperty("motivatedShape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            var region = e.GetProperty("region").EnumerateArray().Select(r => (r[0].GetInt64(), r[1].GetInt64())).ToArray();
            Assert.Equal(baseShape.Length, region.Length);
            for (var d = 0; d < region.Length; d++)
                Assert.True(region[d].Item1 >= 0 && region[d].Item2 <= motivatedShape[d], e.GetRawText());
        }
    }
}

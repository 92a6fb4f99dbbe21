using Xunit;

namespace MotivationDsl.Generators.Tests;

public class SnapshotTests
{
    [Theory]
    [InlineData("ResNetCifar")]
    [InlineData("WideBottleneck")]
    [InlineData("UserBlock")]
    [InlineData("MiniEfficientNet")]
    [InlineData("MiniViT")]
    [InlineData("GrowingViT")]
    [InlineData("MiniGpt")]
    [InlineData("BlockLayers")]
    [InlineData("Branches")]
    [InlineData("ExtraStage")]
    [InlineData("Kernels")]
    public void GeneratedCodeMatchesSnapshotAndCompiles(string name)
    {
        var sources = name switch
        {
            "MiniEfficientNet" => new[] { Sources.MiniEfficientNet },
            "MiniViT" => new[] { Sources.MiniViT },
            "GrowingViT" => new[] { Sources.GrowingViT },
            "MiniGpt" => new[] { Sources.MiniGpt },
            "UserBlock" => new[] { Sources.UserBlockModel, Sources.UserBlock },
            "ResNetCifar" => new[] { Sources.ResNetCifar },
            "WideBottleneck" => new[] { Sources.WideBottleneck },
            "BlockLayers" => new[] { VocabularySources.BlockLayers },
            "Branches" => new[] { VocabularySources.Branches },
            "ExtraStage" => new[] { VocabularySources.ExtraStage },
            "Kernels" => new[] { VocabularySources.Kernels },
            _ => throw new ArgumentException(name),
        };
        var run = GeneratorHarness.Run(sources);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrors);
        var generated = run.Result.Results.Single().GeneratedSources;
        // A Blocks file only for the modules of user blocks; the built-in blocks are runtime classes (MotivationDsl.Blocks).
        var parts = name is "UserBlock" or "BlockLayers" or "Branches" or "Kernels"
            ? new[] { "Model", "Variants", "Blocks", "Map", "Metadata" }
            : new[] { "Model", "Variants", "Map", "Metadata" };
        Assert.Equal(parts, generated.Select(g => g.HintName.Split('.')[^3]));
        var text = string.Concat(generated.Select(g => "//// " + g.HintName + "\n" + g.SourceText));
        GeneratorHarness.VerifySnapshot(name, text);
        Assert.All(text.Split('\n'), line => Assert.True(line.Length <= 120, $"{line.Length} characters: {line}"));
    }

    [Fact]
    public void CifarResNetMetadataMatchesPyTorchReference()
    {
        // Numbers from tests/reference/resnet_cifar.py (PyTorch 1.13, akamaster/pytorch_resnet_cifar10 definition,
        // option A): parameters 269722/464154/658586/853018, MACs 40551040/68862592/97174144/125485696.
        var run = GeneratorHarness.Run(Sources.ResNetCifar);
        var source = run.Source("ResNetCifar")!;
        Assert.Contains("Variant <c>ResNet20</c>: 269,722 parameters, 40,551,040 MACs", source);
        Assert.Contains("Variant <c>ResNet32</c>: 464,154 parameters, 68,862,592 MACs", source);
        Assert.Contains("Variant <c>ResNet44</c>: 658,586 parameters, 97,174,144 MACs", source);
        Assert.Contains("Variant <c>ResNet56</c>: 853,018 parameters, 125,485,696 MACs", source);
    }

    [Fact]
    public void CifarResNetOptionBMatchesPyTorchReference()
    {
        // Option B (1x1 conv + BN shortcut): PyTorch reference 272474/466906/661338/855770 parameters,
        // 40813184 MACs for ResNet-20 (tests/reference/resnet_cifar.py).
        var run = GeneratorHarness.Run(Sources.ResNetCifar.Replace("Shortcut.A", "Shortcut.B"));
        Assert.Empty(run.GeneratorDiagnostics);
        var source = run.Source("ResNetCifar")!;
        Assert.Contains("Variant <c>ResNet20</c>: 272,474 parameters, 40,813,184 MACs", source);
        Assert.Contains("Variant <c>ResNet32</c>: 466,906 parameters", source);
        Assert.Contains("Variant <c>ResNet44</c>: 661,338 parameters", source);
        Assert.Contains("Variant <c>ResNet56</c>: 855,770 parameters", source);
    }

    [Fact]
    public void ManifestHasTheAgreedSchema()
    {
        var run = GeneratorHarness.Run(Sources.ResNetCifar);
        Assert.Empty(run.OutputErrors);
        var source = run.Source("ResNetCifar")!;
        var json = GeneratorHarness.Manifest(source);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("motivationdsl.manifest/1", root.GetProperty("schema").GetString());
        Assert.Equal("Demo.Cifar.ResNetCifar", root.GetProperty("model").GetString());
        Assert.Equal(new[] { 3, 32, 32 }, root.GetProperty("inputShape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(10, root.GetProperty("classes").GetInt32());
        Assert.Equal("ResNet20", root.GetProperty("base").GetString());
        Assert.Equal("ResNet32", root.GetProperty("motivated").GetString());
        var v = root.GetProperty("variants")[0];
        Assert.Equal(269722, v.GetProperty("parameters").GetInt64());
        Assert.Equal(2 * v.GetProperty("macs").GetInt64(), v.GetProperty("flops").GetInt64());
        var map = root.GetProperty("map").EnumerateArray().ToList();
        Assert.Equal(116, map.Count); // every ResNet-20 parameter and buffer (PyTorch state_dict has 116 keys)
        var last = map.Single(e => e.GetProperty("base").GetString() == "layer2.2.conv2.weight");
        Assert.Equal("layer2.4.conv2.weight", last.GetProperty("motivated").GetString());
        Assert.Equal("parameter", last.GetProperty("kind").GetString());
        var nbt = map.Single(e => e.GetProperty("base").GetString() == "bn1.num_batches_tracked");
        Assert.Equal("buffer", nbt.GetProperty("kind").GetString());
        Assert.Equal(0, nbt.GetProperty("region").GetArrayLength());
        Assert.Equal("[[0,16],[0,3],[0,3],[0,3]]", map[0].GetProperty("region").GetRawText().Replace(" ", ""));
    }

    [Fact]
    public void WidthScaledMapUsesPrefixRegions()
    {
        var run = GeneratorHarness.Run(Sources.UserBlockModel, Sources.UserBlock);
        var source = run.Source("CustomNet")!;
        // stage2 of Tiny: 2 blocks (LastToLast: block 1 -> motivated block 2); width 32 -> 48, expansion 2 (conv2 is 1x1 from planes to 2 x planes).
        using var doc = System.Text.Json.JsonDocument.Parse(GeneratorHarness.Manifest(source));
        var map = doc.RootElement.GetProperty("map").EnumerateArray().ToList();
        var conv2 = map.Single(e => e.GetProperty("base").GetString() == "stage2.1.conv2.weight");
        Assert.Equal("stage2.2.conv2.weight", conv2.GetProperty("motivated").GetString());
        Assert.Equal("[[0,64],[0,32],[0,1],[0,1]]", conv2.GetProperty("region").GetRawText().Replace(" ", ""));
        Assert.Equal("[96,48,1,1]", conv2.GetProperty("motivatedShape").GetRawText().Replace(" ", ""));
        // Classifier: input prefix, all classes.
        var classifier = map.Single(e => e.GetProperty("base").GetString() == "classifier.weight");
        Assert.Equal("[10,4096]", classifier.GetProperty("baseShape").GetRawText().Replace(" ", ""));
        Assert.Equal("[10,6144]", classifier.GetProperty("motivatedShape").GetRawText().Replace(" ", ""));
    }
}

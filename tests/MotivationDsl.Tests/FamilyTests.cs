using MotivationDsl.Examples.EfficientNet;
using MotivationDsl.Examples.ResNetImageNet;
using MotivationDsl.Examples.VisionTransformer;
using MotivationDsl.Testing;
using MotivationDsl.Tests.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MotivationDsl.Tests;

/// <summary>The paper's three families: exact reference counts, maps, options, head-aware attention.</summary>
public class FamilyTests
{
    /// <summary>
    /// torchvision 0.14.1 (Debian python3-torchvision, torch 1.13) parameter counts at 1000 classes and 224 px, from
    /// tests/reference/torchvision_counts.py (output in tests/reference/torchvision_counts.json).
    /// </summary>
    public static IEnumerable<object[]> ReferenceCounts() => new[]
    {
        new object[] { "EfficientNet", "B0", 5288548L }, new object[] { "EfficientNet", "B1", 7794184L },
        new object[] { "EfficientNet", "B2", 9109994L }, new object[] { "EfficientNet", "B3", 12233232L },
        new object[] { "EfficientNet", "B4", 19341616L }, new object[] { "EfficientNet", "B5", 30389784L },
        new object[] { "ResNetImageNet", "ResNet50", 25557032L }, new object[] { "ResNetImageNet", "ResNet101", 44549160L },
        new object[] { "VisionTransformer", "Tiny", 5717416L }, new object[] { "VisionTransformer", "Small", 22050664L },
    };

    internal static ScalableModelDefinition Def(string model) => model switch
    {
        "EfficientNet" => EfficientNet.Definition,
        "ResNetImageNet" => ResNetImageNet.Definition,
        "VisionTransformerCifar" => VisionTransformerCifar.Definition,
        _ => VisionTransformer.Definition,
    };

    [Theory]
    [MemberData(nameof(ReferenceCounts))]
    public void ParameterCountsEqualTorchvision(string model, string variant, long expected)
    {
        var def = Def(model);
        Assert.Equal(expected, def.GetVariant(variant).ParameterCount);
        using var m = def.Create(variant);
        Assert.Equal(expected, m.parameters().Sum(p => p.numel()));
        var shapes = m.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        var buffers = m.named_buffers().ToDictionary(p => p.name, p => p.buffer.shape);
        Assert.Equal(def.GetVariant(variant).Parameters.Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal), shapes.Keys.OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(def.GetVariant(variant).Buffers.Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal), buffers.Keys.OrderBy(n => n, StringComparer.Ordinal));
        foreach (var t in def.GetVariant(variant).Tensors)
            Assert.Equal(t.Shape, t.Kind == TensorKind.Parameter ? shapes[t.Name] : buffers[t.Name]);
    }

    [Fact]
    public void EfficientNetCompoundScalingMatchesTorchvision()
    {
        // torchvision: B3 stem 40 channels (make_divisible(32 x 1.2)), stage 1 has ceil(1 x 1.4) = 2 blocks, head 1536.
        var b3 = EfficientNet.Definition.GetVariant("B3");
        Assert.Equal(new long[] { 40, 3, 3, 3 }, b3.Shape("features.0.0.weight"));
        Assert.Contains(b3.Tensors, t => t.Name == "features.1.1.block.0.0.weight");
        Assert.DoesNotContain(b3.Tensors, t => t.Name == "features.1.2.block.0.0.weight");
        Assert.Equal(new long[] { 1000, 1536 }, b3.Shape("classifier.1.weight"));
        // Squeeze channels = max(1, block input // 4): B0 features.2.0 has input 16 -> 4.
        Assert.Equal(new long[] { 4, 96, 1, 1 }, EfficientNet.Definition.GetVariant("B0").Shape("features.2.0.block.2.fc1.weight"));
        Assert.Equal(new[] { ("B2", "B3"), ("B0", "B1"), ("B1", "B2"), ("B3", "B4"), ("B4", "B5") }, EfficientNet.Definition.Pairs.ToArray());
    }

    [Fact]
    public void EfficientNetPairsAreSelectableAndUseFirstL()
    {
        var def = EfficientNet.WithPair("B0", "B1");
        Assert.Equal("B0", def.BaseVariant);
        Assert.Equal("B1", def.MotivatedVariant);
        // First l: B0's single block of stage 1 maps to B1's block 0; B0's stage 6 (4 blocks) to the first 4 of 5.
        Assert.Equal("features.6.3.block.3.0.weight", def.Map.Entries.Single(e => e.BaseName == "features.6.3.block.3.0.weight").MotivatedName);
        var ex = Assert.Throws<ArgumentException>(() => EfficientNet.WithPair("B0", "B2"));
        Assert.Contains("Declared pairs: B2 -> B3, B0 -> B1", ex.Message);
        Assert.Equal(("B4", "B5"), (EfficientNet.WithPair("B4", "B5").BaseVariant, EfficientNet.WithPair("B4", "B5").MotivatedVariant));
    }

    /// <summary>The functional map check at 32 px: zero motivated, copy the base in, same function (depth and width).</summary>
    [Theory]
    [InlineData("B0", "B1")]
    [InlineData("B1", "B2")]
    public void EfficientNetMotivatedWithZeroExtrasComputesTheBaseFunction(string b, string m)
    {
        torch.set_num_threads(1);
        var options = new ModelOptions { Classes = 10, InputSize = 32 };
        using var pair = EfficientNet.WithPair(b, m).CreatePair(null, 3, options);
        pair.Base.train();
        using (var _ = pair.Base.forward(torch.randn(4, 3, 32, 32))) { }
        using (torch.no_grad())
        {
            foreach (var p in pair.Base.parameters()) p.add_(torch.randn_like(p).mul_(0.1));
            foreach (var p in pair.Motivated.parameters()) p.zero_();
        }
        pair.Map.CopyBaseToMotivated();
        pair.Base.eval(); pair.Motivated.eval();
        using var x = torch.randn(2, 3, 32, 32);
        using var yb = pair.Base.forward(x);
        using var ym = pair.Motivated.forward(x);
        Assert.Equal(new long[] { 2, 10 }, yb.shape);
        Numerics.AssertClose(yb, ym, Numerics.Deep, $"EfficientNet {b} -> {m}: base and motivated-with-zero-extras logits");
    }

    [Fact]
    public void ResNet50To101UsesLastToLast()
    {
        var map = ResNetImageNet.Map;
        Assert.Equal("layer3.22.conv1.weight", map.Entries.Single(e => e.BaseName == "layer3.5.conv1.weight").MotivatedName);
        Assert.Equal("layer3.4.conv1.weight", map.Entries.Single(e => e.BaseName == "layer3.4.conv1.weight").MotivatedName);
        Assert.Equal(25557032L, map.Entries.Where(e => e.Kind == TensorKind.Parameter).Sum(e => e.BaseShape.Aggregate(1L, (a, d) => a * d)));
        torch.set_num_threads(1);
        using var pair = ResNetImageNet.CreatePair(new ModelOptions { Classes = 10, InputSize = 64 }, seed: 1);
        pair.Base.eval(); pair.Motivated.eval();
        using var y = pair.Motivated.forward(torch.randn(1, 3, 64, 64));
        Assert.Equal(new long[] { 1, 10 }, y.shape);
    }

    [Fact]
    public void ModelOptionsChangeClassesInputSizeAndMetadata()
    {
        var def = VisionTransformer.Definition;
        var small = def.Describe("Tiny", new ModelOptions { Classes = 100, InputSize = 32 });
        Assert.Equal(new long[] { 1, 5, 192 }, small.Shape("encoder.pos_embedding")); // 32/16 = 2 -> 4 tokens + the class token
        Assert.Equal(new long[] { 100, 192 }, small.Shape("heads.head.weight"));
        Assert.Equal(5717416L - (197 - 5) * 192 - 900 * 193, small.ParameterCount);
        Assert.Equal(100, small.Classes);
        Assert.Equal(new[] { 3, 32, 32 }, small.InputShape);
        using var m = def.Create("Tiny", new ModelOptions { Classes = 100, InputSize = 32 });
        Assert.Equal(small.ParameterCount, m.parameters().Sum(p => p.numel()));
        // Null options are the declaration; the generated Describe replays the compile-time numbers.
        foreach (var name in new[] { "EfficientNet", "ResNetImageNet", "VisionTransformer" })
            foreach (var v in Def(name).Variants)
            {
                var again = Def(name).Describe(v.Name, new ModelOptions());
                Assert.Equal(v.ParameterCount, again.ParameterCount);
                Assert.Equal(v.Macs, again.Macs);
            }
        // MACs follow the input size (CNN: about 4x fewer at half the side).
        var full = ResNetImageNet.Definition.GetVariant("ResNet50").Macs;
        var half = ResNetImageNet.Definition.Describe("ResNet50", new ModelOptions { InputSize = 112 }).Macs;
        Assert.InRange((double)full / half, 3.5, 4.5);
        Assert.Equal(4_089_184_256L, full); // torchvision ResNet-50: 4.09 GMACs (conv + fc)
        Assert.Throws<ArgumentException>(() => VisionTransformer.Definition.Describe("Tiny", new ModelOptions { InputSize = 8 })); // smaller than a patch
    }

    [Fact]
    public void VisionTransformerMapIsHeadAware()
    {
        var e = VisionTransformer.Map.Entries.Single(x => x.BaseName == "encoder.layers.encoder_layer_0.self_attention.in_proj_weight");
        Assert.True(e.IsPiecewise);
        Assert.Equal(9, e.Pieces!.Count); // q, k, v x 3 heads
        // k of head 1: base rows [192 + 64, 192 + 128) -> motivated rows [384 + 64, 384 + 128), inputs [0, 192).
        var k1 = e.Pieces.Single(p => p.Base.Dims[0].Start == 256);
        Assert.Equal(new[] { new DimRange(448, 64), new DimRange(0, 192) }, k1.Motivated.Dims);
        var o = VisionTransformer.Map.Entries.Single(x => x.BaseName == "encoder.layers.encoder_layer_11.self_attention.out_proj.weight");
        Assert.Equal(3, o.Pieces!.Count);
        var cls = VisionTransformer.Map.Entries.Single(x => x.BaseName == "class_token");
        Assert.Equal(new[] { new DimRange(0, 1), new DimRange(0, 1), new DimRange(0, 192) }, cls.Region.Dims);
    }

    /// <summary>
    /// Head-aware map at the attention module: Tiny's attention (d 192, 3 heads) copied into Small's (d 384, 6 heads, same
    /// head dimension 64) through the map's pieces; with the input's extra channels zero and the extra heads' output
    /// projection columns zero, Small's attention outputs Tiny's on Tiny's channels.
    /// </summary>
    [Fact]
    public void MotivatedAttentionReproducesTheBaseAttention()
    {
        torch.set_num_threads(1);
        var options = new ModelOptions { InputSize = 32, Classes = 10 };
        using var pair = VisionTransformer.CreatePair(options, seed: 7);
        using (torch.no_grad())
            foreach (var (name, p) in pair.Base.named_parameters())
                if (name.Contains("self_attention")) p.add_(torch.randn_like(p).mul_(0.1)); // non-zero biases too
        pair.Map.CopyBaseToMotivated();
        var attB = (nn.Module<Tensor, Tensor>)pair.Base.named_modules().Single(m => m.name == "encoder.layers.encoder_layer_0.self_attention").module;
        var attM = (nn.Module<Tensor, Tensor>)pair.Motivated.named_modules().Single(m => m.name == "encoder.layers.encoder_layer_0.self_attention").module;
        using (torch.no_grad())
            attM.named_parameters().Single(p => p.name == "out_proj.weight").parameter.narrow(1, 192, 192).zero_();
        using var x = torch.randn(2, 5, 192);
        using var xm = torch.cat(new[] { x, torch.zeros(2, 5, 192) }, 2);
        using var yb = attB.forward(x);
        using var ym = attM.forward(xm);
        using var ymb = ym.narrow(2, 0, 192);
        Numerics.AssertClose(yb, ymb, Numerics.Shallow, "Tiny's attention and Small's on Tiny's channels");
    }

    [Fact]
    public void VisionTransformerPairRoundTripsAndForwards()
    {
        torch.set_num_threads(1);
        using var pair = VisionTransformerCifar.CreatePair(seed: 2);
        var before = pair.Base.named_parameters().ToDictionary(p => p.name, p => p.parameter.clone());
        using (torch.no_grad()) foreach (var p in pair.Motivated.parameters()) p.add_(1.0);
        pair.Map.CopyBaseToMotivated();
        pair.Map.CopyMotivatedToBase();
        foreach (var (n, p) in pair.Base.named_parameters()) Assert.True(p.allclose(before[n], 0, 0), n);
        pair.Motivated.eval();
        using var y = pair.Motivated.forward(torch.randn(2, 3, 32, 32));
        Assert.Equal(new long[] { 2, 100 }, y.shape);
        Assert.Equal(new long[] { 1, 65, 384 }, VisionTransformerCifar.Definition.GetVariant("Small").Shape("encoder.pos_embedding"));
    }
}

/// <summary>
/// Cross-check with torchvision: a perturbed generated module (weights, BN statistics) is dumped, loaded into
/// torchvision's model with <c>load_state_dict(strict=True)</c> (every key and shape must match) and the eval logits compared
/// (tests/reference/compare_torchvision.py). Reduced input size and 10 classes to stay fast. Needs /usr/bin/python3 with
/// torch and torchvision; reported as skipped where they are absent.
/// </summary>
public class TorchvisionCrossCheckTests
{
    [PyTorchTheory]
    [InlineData("EfficientNet", "B0", "efficientnet_b0", 64)]
    [InlineData("ResNetImageNet", "ResNet50", "resnet50", 64)]
    [InlineData("EfficientNet", "B3", "efficientnet_b3", 64)]
    [InlineData("VisionTransformer", "Tiny", "vit_tiny", 32)]
    [InlineData("VisionTransformer", "Small", "vit_small", 32)]
    public void ForwardMatchesTorchvision(string model, string variant, string arch, int size)
    {
        torch.set_num_threads(1);
        torch.manual_seed(11);
        var options = new ModelOptions { Classes = 10, InputSize = size };
        using var m = FamilyTests.Def(model).Create(variant, options);
        m.train();
        using (var _ = m.forward(torch.randn(4, 3, size, size))) { }
        using (torch.no_grad()) foreach (var p in m.parameters()) p.add_(torch.randn_like(p).mul_(0.02));
        m.eval();
        using var x = torch.randn(2, 3, size, size);
        using var y = m.forward(x);
        var (diff, scale) = PyTorchReference.Compare(m, x, y, "compare_torchvision.py", $"{arch} 10 {size}");
        Numerics.AssertClose(diff, scale, Numerics.Deep, $"{arch}: TorchSharp and torchvision logits");
    }
}

public class PiecewiseMapTests
{
    /// <summary>Optimizer state goes through the pieces as the weights do (BoundWeightsMap.Transfer).</summary>
    [Fact]
    public void TransferCopiesPiecewiseEntries()
    {
        torch.set_num_threads(1);
        using var pair = TinyViT.CreatePair(seed: 4);   // 16 -> 32 features, 2 -> 4 heads of 8
        var entry = pair.Map.Map.Entries.Single(e => e.BaseName == "encoder.layers.encoder_layer_1.self_attention.in_proj_weight");
        var baseState = pair.Base.named_parameters().ToDictionary(p => p.name, p => torch.randn_like(p.parameter));
        var motState = pair.Motivated.named_parameters().ToDictionary(p => p.name, p => torch.zeros_like(p.parameter));
        pair.Map.Transfer(MapDirection.BaseToMotivated, n => baseState.GetValueOrDefault(n), n => motState.GetValueOrDefault(n));
        var b = baseState[entry.BaseName]; var m = motState[entry.MotivatedName];
        // v of head 1: base rows [32 + 8, 32 + 16) -> motivated rows [64 + 8, 64 + 16), first 16 inputs.
        Assert.True(m.narrow(0, 72, 8).narrow(1, 0, 16).allclose(b.narrow(0, 40, 8), 0, 0));
        Assert.Equal(0, m.narrow(0, 80, 8).abs().sum().item<float>()); // v of head 2 (no base head) untouched
        foreach (var t in motState.Values) t.zero_();
        pair.Map.Transfer(MapDirection.MotivatedToBase, n => baseState.GetValueOrDefault(n), n => motState.GetValueOrDefault(n));
        Assert.Equal(0, baseState[entry.BaseName].abs().sum().item<float>());
    }

    [Fact]
    public void FusedAttentionWeightsMapOnePiecePerBaseHead()
    {
        var manifest = System.Text.Json.JsonDocument.Parse(TinyViT.ManifestJson);
        var attn = manifest.RootElement.GetProperty("map").EnumerateArray()
            .Single(e => e.GetProperty("base").GetString() == "encoder.layers.encoder_layer_0.self_attention.out_proj.weight");
        Assert.Equal(2, attn.GetProperty("pieces").GetArrayLength());
    }
}

public class MBConvBehaviourTests
{
    /// <summary>Stochastic depth: the last blocks drop their branch at random in training; eval is deterministic.</summary>
    [Fact]
    public void StochasticDepthOnlyInTraining()
    {
        torch.set_num_threads(1);
        torch.manual_seed(3);
        using var m = TinyEfficientNet.Create("S");
        using var x = torch.randn(8, 3, 16, 16);
        m.eval();
        using var e1 = m.forward(x); using var e2 = m.forward(x);
        Assert.True(e1.allclose(e2, 0, 0));
        // In training the BN statistics move too, so test one residual block alone with its BNs in eval mode.
        var block = (nn.Module<Tensor, Tensor>)m.named_modules().Single(p => p.name == "features.3.1").module; // residual; block 4 of 5 (from 0): p = 0.2 x 4 / 5 = 0.16
        block.train();
        using var input = torch.randn(64, 24, 2, 2);
        using (torch.no_grad())
            foreach (var b in block.named_modules().Select(p => p.module).OfType<TorchSharp.Modules.BatchNorm2d>()) b.eval();
        using var y = block.forward(input);
        var same = (y - input).abs().sum(new long[] { 1, 2, 3 }).eq(0).sum().item<long>(); // dropped rows: output == input
        Assert.InRange(same, 1, 40); // about 10 of 64 rows
    }
}

using MotivationDsl.Examples.Experiments;
using MotivationDsl.Testing;
using TorchSharp;
using Xunit;

namespace MotivationDsl.Tests;

/// <summary>
/// The width pair of the issue-14 experiment (examples/Experiments/FashionResNetWidth.cs): ResNet-20 layout with option
/// B shortcuts at half width (8/16/32, stem 8) -> full width (16/32/64, stem 16) on 1x28x28, declared under the paper's
/// rule and under function-preserving growth. Checked against a PyTorch definition (tests/reference/compare_fashion_width.py)
/// and for function preservation (eval mode, BatchNorm included).
/// </summary>
public class FashionWidthPairTests
{
    /// <summary>Parameter counts and MACs of one 1x28x28 sample as compare_fashion_width.py counts them (PyTorch 1.13).</summary>
    [Theory]
    [InlineData("HalfWidth", 68_642, 7_783_872)]
    [InlineData("FullWidth", 272_186, 31_021_952)]
    public void VariantsHaveThePyTorchReferenceSizes(string variant, long parameters, long macs)
    {
        foreach (var definition in new[] { FashionResNetWidth.Definition, FashionResNetWidthGrowing.Definition })
        {
            var info = definition.GetVariant(variant);
            Assert.Equal(parameters, info.ParameterCount);
            Assert.Equal(macs, info.Macs);
            using var module = definition.Create(variant);
            Assert.Equal(parameters, module.parameters().Sum(p => p.numel()));
        }
    }

    /// <summary>The generated module loads into the PyTorch definition with strict=True and computes the same eval logits.</summary>
    [PyTorchTheory]
    [InlineData("HalfWidth")]
    [InlineData("FullWidth")]
    public void GeneratedModulesMatchThePyTorchDefinition(string variant)
    {
        torch.manual_seed(13);
        var definition = FashionResNetWidth.Definition;
        using var m = definition.Create(variant);
        m.train();
        using (var _ = m.forward(torch.randn(8, 1, 28, 28))) { } // BN statistics away from their initial values
        m.eval();
        using var x = torch.randn(4, 1, 28, 28);
        using var y = m.forward(x);
        var stdout = PyTorchReference.Run(m, x, y, "compare_fashion_width.py", variant);
        double Read(string key) => double.Parse(stdout.Split(key + " ")[1].Split('\n')[0].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Numerics.AssertClose(Read("maxdiff"), Read("scale"), Numerics.Deep, $"{variant}: TorchSharp and PyTorch logits");
        var info = definition.GetVariant(variant);
        Assert.Equal((long)Read("params"), info.ParameterCount);
        Assert.Equal((long)Read("macs"), info.Macs);
    }

    /// <summary>
    /// The generator proved both maps (a MOT error would have failed the build); the growth model's map carries growth
    /// steps, the paper's has none, and the widened head reads the base's 32 features as a prefix with its other 32
    /// inputs zeroed at the first activation.
    /// </summary>
    [Fact]
    public void BothRulesHaveAProvenPrefixMapAndOnlyTheGrowthModelHasGrowthSteps()
    {
        var paper = FashionResNetWidth.Definition.Map;
        var growing = FashionResNetWidthGrowing.Definition.Map;
        Assert.False(paper.PreservesFunction);
        Assert.True(growing.PreservesFunction);
        Assert.Equal(paper.Entries.Select(e => (e.BaseName, e.MotivatedName, e.Region)), growing.Entries.Select(e => (e.BaseName, e.MotivatedName, e.Region)));
        // Every base tensor maps one to one by name (same depth), including the projection shortcuts.
        var halfTensors = FashionResNetWidth.Definition.GetVariant("HalfWidth").Tensors.Select(t => t.Name).Where(n => !n.EndsWith("num_batches_tracked"));
        Assert.Equal(halfTensors.OrderBy(n => n), paper.Entries.Where(e => e.BaseName == e.MotivatedName).Select(e => e.BaseName).Intersect(halfTensors).OrderBy(n => n));
        Assert.Contains(paper.Entries, e => e.BaseName == "layer2.0.shortcut.0.weight");
        var head = growing.Growth.Single(g => g.Tensor == "linear.weight");
        Assert.Equal(GrowthAction.Zero, head.Action);
        Assert.Equal(new TensorRegion(new DimRange(0, 10), new DimRange(32, 32)), head.Region);
    }

    [Fact]
    public void WideModelStartsFromTheNarrowFunctionOnlyUnderFunctionPreservingGrowth()
    {
        torch.set_num_threads(1);
        var (b, m) = FunctionPreservingGrowthTests.GrownLogits(FashionResNetWidthGrowing.Definition);
        Numerics.AssertClose(b, m, Numerics.Deep, "FashionResNetWidthGrowing HalfWidth -> FullWidth: base and motivated logits");
        var (pb, pm) = FunctionPreservingGrowthTests.GrownLogits(FashionResNetWidth.Definition);
        Numerics.AssertDifferent(pb, pm, 1e-2, "FashionResNetWidth (paper's rule): base and motivated logits");
    }
}

using MotivationDsl.Tests.Models;
using MotivationDsl.Testing;
using TorchSharp;
using Xunit;

namespace MotivationDsl.Tests;

/// <summary>
/// Linear, LayerNorm, Flatten, window and adaptive pooling inside user blocks (<see cref="BlockLayerNet"/>): the generated
/// modules against a PyTorch definition of the same net, and the map of flattened features into a block's Linear.
/// </summary>
public class BlockVocabularyTests
{
    /// <summary>
    /// tests/reference/compare_block_layers.py loads the module's state_dict with <c>strict=True</c> (names and shapes),
    /// compares eval logits, and counts parameters and MACs with hooks; both must equal the generated metadata.
    /// </summary>
    [PyTorchTheory]
    [InlineData("BlockLayerNet", "S")]
    [InlineData("BlockLayerNet", "F")]
    [InlineData("BlockLayerNet", "L")]
    [InlineData("BranchNet", "S")]
    [InlineData("BranchNet", "W")]
    [InlineData("BranchNet", "L")]
    [InlineData("ExtraStageNet", "S")]
    [InlineData("ExtraStageNet", "L")]
    [InlineData("KernelNet", "S")]
    [InlineData("KernelNet", "L")]
    [InlineData("SqueezeActivationNet", "S")]
    [InlineData("SqueezeActivationNet", "L")]
    public void GeneratedModulesMatchThePyTorchDefinition(string model, string variant)
    {
        torch.manual_seed(11);
        var definition = Definition(model);
        using var m = definition.Create(variant);
        m.train();
        using (var _ = m.forward(torch.randn(8, 3, 16, 16))) { } // BN statistics away from their initial values
        m.eval();
        using var x = torch.randn(4, 3, 16, 16);
        using var y = m.forward(x);
        var stdout = PyTorchReference.Run(m, x, y, "compare_block_layers.py", $"{model} {variant}");
        double Read(string key) => double.Parse(stdout.Split(key + " ")[1].Split('\n')[0].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Numerics.AssertClose(Read("maxdiff"), Read("scale"), Numerics.Deep, $"{variant}: TorchSharp and PyTorch logits");
        var info = definition.GetVariant(variant);
        Assert.Equal((long)Read("params"), info.ParameterCount);
        Assert.Equal((long)Read("macs"), info.Macs);
    }

    private static ScalableModelDefinition Definition(string model) => model switch
    {
        "BranchNet" => BranchNet.Definition,
        "ExtraStageNet" => ExtraStageNet.Definition,
        "KernelNet" => KernelNet.Definition,
        "SqueezeActivationNet" => SqueezeActivationNet.Definition,
        _ => BlockLayerNet.Definition,
    };

    [Theory]
    [InlineData("BlockLayerNet")]
    [InlineData("BranchNet")]
    [InlineData("ExtraStageNet")]
    [InlineData("SqueezeActivationNet")]
    public void ModulesHaveExactlyTheMetadataTensors(string model)
    {
        foreach (var v in Definition(model).Variants)
        {
            using var module = Definition(model).Create(v.Name);
            var tensors = module.named_parameters().Select(p => (p.name, p.parameter.shape))
                .Concat(module.named_buffers().Select(b => (b.name, b.buffer.shape))).ToDictionary(t => t.name, t => t.shape);
            Assert.Equal(v.Tensors.Select(t => t.Name).OrderBy(n => n), tensors.Keys.OrderBy(n => n));
            foreach (var t in v.Tensors) Assert.Equal(t.Shape, tensors[t.Name]);
        }
    }

    /// <summary>
    /// S -> F widens only the convolutional stage: the head block's Linear then reads 12 x 2 x 2 flattened features instead
    /// of 8 x 2 x 2. With every motivated parameter zeroed and the base copied in, F must compute S's function, which holds
    /// only if the map's feature prefix is the flattened channel prefix.
    /// </summary>
    [Fact]
    public void FlattenedChannelPrefixIsTheMappedFeaturePrefix()
    {
        var def = BlockLayerNet.Definition.WithPair("S", "F");
        using var pair = def.CreatePair(seed: 5);
        var entry = def.Map.Entries.Single(e => e.BaseName == "head.0.fc.weight");
        Assert.Equal(new long[] { 16, 48 }, entry.MotivatedShape);
        AssertZeroExtrasKeepTheBaseFunction(pair, "S and F with zero extras");
    }

    /// <summary>
    /// S -> W widens both branches of the concatenation (8 + 16 -> 12 + 24 channels): the base's second branch sits at
    /// [8, 24) in S and at [12, 28) in W. With every motivated parameter zeroed and the base copied in, W must compute S's
    /// function, which holds only if the batch norm over the concatenation and the projection reading it map branch by
    /// branch (a plain prefix would put the second branch's weights on the first branch's extra channels).
    /// </summary>
    [Fact]
    public void ConcatenatedBranchesMapBranchByBranch()
    {
        var def = BranchNet.Definition.WithPair("S", "W");
        var project = def.Map.Entries.Single(e => e.BaseName == "mix.0.project.weight");
        Assert.Equal(2, project.Pieces!.Count);
        using var pair = def.CreatePair(seed: 6);
        AssertZeroExtrasKeepTheBaseFunction(pair, "S and W with zero extras");
    }

    /// <summary>
    /// Moves the base's batch-norm statistics off their init (one training forward), zeroes every motivated parameter,
    /// copies the base in through the map and compares eval logits: equal only if the map put every base tensor where
    /// the wider model reads it.
    /// </summary>
    private static void AssertZeroExtrasKeepTheBaseFunction(MotivationPair pair, string what)
    {
        pair.Base.train();
        using (var _ = pair.Base.forward(torch.randn(8, 3, 16, 16))) { }
        using (torch.no_grad()) foreach (var p in pair.Motivated.parameters()) p.zero_();
        pair.Map.CopyBaseToMotivated();
        pair.Base.eval(); pair.Motivated.eval();
        using var x = torch.randn(4, 3, 16, 16);
        using var yb = pair.Base.forward(x);
        using var ym = pair.Motivated.forward(x);
        Numerics.AssertClose(yb, ym, Numerics.Deep, what);
    }
}

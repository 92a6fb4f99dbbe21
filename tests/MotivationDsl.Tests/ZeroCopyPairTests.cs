using MotivationDsl.Tests.Models;
using Xunit;
using static TorchSharp.torch;

namespace MotivationDsl.Tests;

/// <summary>Zero-copy binding (WeightsMap.BindShared) on generated modules: depth maps, width slices, user blocks.</summary>
public class ZeroCopyPairTests
{
    public static IEnumerable<object[]> Definitions() => new[]
    {
        new object[] { "TinyCifarResNet" }, new object[] { "WideNet" }, new object[] { "CustomNet" },
    };

    private static ScalableModelDefinition Def(string name) => name switch
    {
        "TinyCifarResNet" => TinyCifarResNet.Definition,
        "WideNet" => WideNet.Definition,
        _ => CustomNet.Definition,
    };

    private static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype
        && a.detach().contiguous().bytes.ToArray().AsSpan().SequenceEqual(b.detach().contiguous().bytes.ToArray());

    [Theory]
    [MemberData(nameof(Definitions))]
    public void Generated_layers_are_shared_and_the_base_computes_the_same(string model)
    {
        var def = Def(model);
        using var copy = def.CreatePair(null, 5);
        using var zero = def.CreatePair(null, 5, zeroCopy: true);
        // Every tensor of the generated built-in layers can be shared.
        Assert.True(zero.Map.FullyShared, $"{zero.Map.SharedCount} of {zero.Map.Entries.Count} shared");
        var info = def.GetVariant(def.BaseVariant);
        manual_seed(1);
        using var x = randn([2, .. info.InputShape]);
        copy.Base.eval(); zero.Base.eval();
        using (no_grad())
        {
            using var a = copy.Base.call(x);
            using var b = zero.Base.call(x);
            Assert.True(Same(a, b));
        }
        // Shared memory: a write into the motivated model's region is the base's value.
        using (no_grad())
            foreach (var e in zero.Map.Entries)
            {
                e.MotivatedRegion.add_(1);
                Assert.True(Same(e.Base, e.MotivatedRegion), e.Entry.ToString());
            }
    }

    [Fact]
    public void A_base_training_step_lands_in_the_motivated_regions_only()
    {
        var def = WideNet.Definition;
        using var zero = def.CreatePair(null, 6, zeroCopy: true);
        var before = zero.Motivated.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var info = def.GetVariant(def.BaseVariant);
        manual_seed(2);
        using var x = randn([4, .. info.InputShape]);
        using var y = randint(0, info.Classes, [4]);
        zero.Base.train();
        using (var scope = NewDisposeScope())
        {
            nn.functional.cross_entropy(zero.Base.call(x), y).backward();
            using var _ = no_grad();
            foreach (var p in zero.Base.parameters()) p.add_(p.grad!, alpha: -0.1);
        }
        Assert.All(zero.Motivated.parameters(), p => Assert.Null(p.grad));
        var mot = zero.Motivated.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        foreach (var e in zero.Map.Entries.Where(e => e.Entry.Kind == TensorKind.Parameter))
        {
            // Inside the region: the base's updated value. Outside: untouched (checked by zeroing the region in both).
            Assert.True(Same(e.Base, e.MotivatedRegion));
            using var was = before[e.Entry.MotivatedName].clone();
            using var now = mot[e.Entry.MotivatedName].detach().clone();
            using (no_grad())
            {
                using var r1 = WeightsMap.RegionView(was, e.Entry.Region); r1.zero_();
                using var r2 = WeightsMap.RegionView(now, e.Entry.Region); r2.zero_();
            }
            Assert.True(Same(was, now), e.Entry.MotivatedName);
        }
    }
}

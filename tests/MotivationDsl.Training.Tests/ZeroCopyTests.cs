using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using static TorchSharp.torch;

namespace MotivationDsl.Training.Tests;

/// <summary>The zero-copy mode (base tensors and base optimizer state as views of the motivated ones) trains exactly like copy mode.</summary>
public class ZeroCopyTests
{
    public static TheoryData<string> Optimizers => new() { "sgd", "adamw", "rmsprop" };

    private static OptimizerOptions Opt(string kind) => kind switch
    {
        "sgd" => new SgdOptions(0.05, Momentum: 0.9, WeightDecay: 5e-4),
        "adamw" => new AdamOptions(1e-3, WeightDecay: 0.05, Decoupled: true),
        _ => new RmsPropOptions(1e-3, Momentum: 0.9, Centered: true),
    };

    private sealed class Losses : TrainerCallback
    {
        public readonly List<(double Loss, ModelRole Role)> Values = [];
        public override void OnBatchEnd(MotivationTrainer t, in BatchResult r) => Values.Add((r.Loss, r.Active));
    }

    [Fact]
    public void A_zero_copy_pair_shares_every_mapped_tensor_and_starts_equal()
    {
        var def = new TinyDefinition();
        using var copy = def.CreatePair(null, 3);
        using var shared = def.CreatePair(null, 3, zeroCopy: true);
        Assert.Equal(0, copy.Map.SharedCount);
        Assert.True(shared.Map.FullyShared);
        Snap.AssertBitwiseEqual(Snap.State(copy.Base), Snap.State(shared.Base));
        Snap.AssertBitwiseEqual(Snap.State(copy.Motivated), Snap.State(shared.Motivated));
        using (no_grad())
        {
            var baseByName = shared.Base.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
            foreach (var (n, b) in shared.Base.named_buffers()) baseByName[n] = b;
            foreach (var e in shared.Map.Entries)
            {
                // Same memory: a write into the motivated region shows in the base module's own tensor (what its forward and optimizer see).
                Assert.True(e.Base.shape.SequenceEqual(e.Entry.BaseShape));
                if (e.Entry.Kind == TensorKind.Parameter) Assert.True(e.Base.requires_grad);
                var own = baseByName[e.Entry.BaseName];
                using var before = own.clone();
                e.MotivatedRegion.add_(1);
                Assert.False(Snap.Bitwise(before, own), e.Entry.ToString());
                using var expected = before.add(1);
                Assert.True(Snap.Bitwise(expected, own), e.Entry.ToString());
            }
        }
    }

    [Fact]
    public void A_base_step_writes_only_the_mapped_regions_and_its_own_gradients()
    {
        var (train, _) = Synthetic.Data(train: 64);
        using var __ = train;
        using var t = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions
        {
            Optimizer = new SgdOptions(0.1, Momentum: 0.9, WeightDecay: 5e-4), Condition = new Never(), Seed = 4, ZeroCopy = true,
        });
        var before = Snap.State(t.Pair.Motivated);
        t.Fit(train, null, 1);
        // The motivated model got no gradients: the views are leaves of their own.
        Assert.All(t.Pair.Motivated.parameters(), p => Assert.Null(p.grad));
        Assert.All(t.Pair.Base.parameters(), p => Assert.NotNull(p.grad));
        var after = Snap.State(t.Pair.Motivated);
        // Differential block 0 (the base's only block maps to the motivated LAST block) untouched, bitwise.
        foreach (var k in before.Keys.Where(k => k.Replace("buffer:", "").StartsWith("blocks.0.", StringComparison.Ordinal)))
            Assert.True(Snap.Bitwise(before[k], after[k]), k);
        // Width slices: outside the region untouched, inside changed (the base trained into it).
        using var w0 = before["stem.weight"]; using var w1 = after["stem.weight"];
        Assert.True(Snap.Bitwise(w0.narrow(0, 4, 4), w1.narrow(0, 4, 4)));
        Assert.False(Snap.Bitwise(w0.narrow(0, 0, 4), w1.narrow(0, 0, 4)));
        // BatchNorm statistics too (the running mean of the mapped channels moved, the others did not).
        Assert.False(Snap.Bitwise(before["buffer:bn.running_mean"].narrow(0, 0, 4), after["buffer:bn.running_mean"].narrow(0, 0, 4)));
        Assert.True(Snap.Bitwise(before["buffer:bn.running_mean"].narrow(0, 4, 4), after["buffer:bn.running_mean"].narrow(0, 4, 4)));
        // Optimizer state: the base's momentum lives in the motivated optimizer's state region.
        using var region = WeightsMap.RegionView(t.MotivatedOptimizer.GetState("stem.weight", "momentum_buffer"), new TensorRegion(new DimRange(0, 4), new DimRange(0, 3), new DimRange(0, 3), new DimRange(0, 3)));
        Assert.True(Snap.Bitwise(t.BaseOptimizer.GetState("stem.weight", "momentum_buffer"), region));
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Zero_copy_trains_bitwise_like_copy_mode(string kind)
    {
        var (train, test) = Synthetic.Data(train: 96);
        using var _ = train; using var __ = test;
        // Motivated streaks inside epochs, an epoch that ends motivated (forced switch) and one that ends with the base.
        var script = new Func<int, int, bool>((e, b) => e == 0 ? b is 0 or 1 or 3 : e == 1 ? b >= 2 : b == 1);
        (List<(double, ModelRole)> Losses, MotivationTrainer Trainer) Run(bool zeroCopy)
        {
            var losses = new Losses();
            var t = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions
            {
                Optimizer = Opt(kind), Condition = new Scripted(script), Callbacks = [losses], Seed = 11, ZeroCopy = zeroCopy,
            });
            t.Fit(train, test, 3);
            return (losses.Values, t);
        }
        var (lc, copy) = Run(false);
        var (lz, zero) = Run(true);
        using var c = copy; using var z = zero;
        Assert.True(z.Pair.Map.FullyShared);
        Assert.Contains(lc, x => x.Item2 == ModelRole.Motivated);
        Assert.Equal(lc.Count, lz.Count);
        for (var i = 0; i < lc.Count; i++)
        {
            Assert.Equal(lc[i].Item2, lz[i].Item2);
            Assert.Equal(BitConverter.DoubleToInt64Bits(lc[i].Item1), BitConverter.DoubleToInt64Bits(lz[i].Item1));
        }
        Snap.AssertBitwiseEqual(Snap.State(copy.Pair.Base), Snap.State(zero.Pair.Base));
        Snap.AssertBitwiseEqual(Snap.Optimizer(copy.BaseOptimizer), Snap.Optimizer(zero.BaseOptimizer));
        // Copy mode refreshes the motivated model's mapped regions at a switch; after one, both motivated models agree too.
        copy.SwitchToMotivated(); zero.SwitchToMotivated();
        Snap.AssertBitwiseEqual(Snap.State(copy.Pair.Motivated), Snap.State(zero.Pair.Motivated));
        Snap.AssertBitwiseEqual(Snap.Optimizer(copy.MotivatedOptimizer), Snap.Optimizer(zero.MotivatedOptimizer));
        Assert.Equal(copy.History[^1].BaseTest, zero.History[^1].BaseTest);
    }

    [Fact]
    public void A_zero_copy_checkpoint_resumes_exactly()
    {
        var (train, _) = Synthetic.Data(train: 64);
        using var __ = train;
        var dir = Path.Combine(Path.GetTempPath(), "mdzc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            TrainerOptions O() => new() { Optimizer = Opt("sgd"), Condition = new Scripted((e, b) => b == 1), Seed = 9, ZeroCopy = true };
            using var full = MotivationTrainer.Create(new TinyDefinition(), O());
            full.Fit(train, null, 2);
            using var first = MotivationTrainer.Create(new TinyDefinition(), O());
            first.Fit(train, null, 1);
            var path = Path.Combine(dir, "c.mdckpt");
            first.SaveCheckpoint(path);
            using var resumed = MotivationTrainer.Create(new TinyDefinition(), O());
            resumed.LoadCheckpoint(path);
            Assert.True(resumed.Pair.Map.FullyShared);
            resumed.Fit(train, null, 2);
            Snap.AssertBitwiseEqual(Snap.State(full.Pair.Base), Snap.State(resumed.Pair.Base));
            Snap.AssertBitwiseEqual(Snap.State(full.Pair.Motivated), Snap.State(resumed.Pair.Motivated));
        }
        finally { Directory.Delete(dir, true); }
    }
}

using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using static TorchSharp.torch;

namespace MotivationDsl.Training.Tests;

/// <summary>Channels-last weights and inputs (<see cref="MemoryFormat"/>) through the pair, the map, the optimizers and checkpoints.</summary>
public class MemoryFormatTests
{
    private static TrainerOptions Options(MemoryFormat format, bool zeroCopy = false, IMotivationCondition? condition = null) => new()
    {
        Optimizer = new SgdOptions(0.05, Momentum: 0.9, WeightDecay: 5e-4),
        Condition = condition ?? new RandomSchedule(0.5, seed: 3),
        Seed = 11, ZeroCopy = zeroCopy, MemoryFormat = format,
    };

    private static IEnumerable<(string Name, Tensor T)> FourD(nn.Module m) =>
        m.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(m.named_buffers().Select(b => (b.name, b.buffer))).Where(x => x.Item2.dim() == 4);

    private static void AssertLayout(nn.Module m, MemoryFormat format)
    {
        var four = FourD(m).ToArray();
        Assert.NotEmpty(four);
        foreach (var (n, t) in four) Assert.True(t.Is(format), $"'{n}' is not {format} (strides {string.Join(",", t.stride())})");
    }

    private static double MaxAbsDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    [Fact]
    public void Tensors_convert_between_layouts_with_the_same_values()
    {
        Assert.Equal(new long[] { 60, 1, 15, 3 }, MemoryFormats.Strides([2, 3, 4, 5], MemoryFormat.ChannelsLast));
        Assert.Equal(new long[] { 60, 20, 5, 1 }, MemoryFormats.Strides([2, 3, 4, 5], MemoryFormat.Contiguous));
        using var x = randn(2, 3, 4, 5);
        Assert.True(x.Is(MemoryFormat.Contiguous));
        Assert.False(x.Is(MemoryFormat.ChannelsLast));
        using var cl = x.In(MemoryFormat.ChannelsLast);
        Assert.True(cl.Is(MemoryFormat.ChannelsLast));
        Assert.False(cl.is_contiguous());
        Assert.True(Snap.Bitwise(x, cl));
        Assert.Same(cl, cl.In(MemoryFormat.ChannelsLast));
        using var back = cl.In(MemoryFormat.Contiguous);
        Assert.True(back.is_contiguous());
        Assert.True(Snap.Bitwise(x, back));
        // Not 4-D: left alone.
        using var v = randn(3, 4);
        Assert.Same(v, v.In(MemoryFormat.ChannelsLast));
        Assert.False(v.Is(MemoryFormat.ChannelsLast));
        // A 1x1 spatial tensor is both (size-1 strides do not count).
        using var one = randn(2, 3, 1, 1);
        Assert.True(one.Is(MemoryFormat.ChannelsLast) && one.Is(MemoryFormat.Contiguous));
    }

    [Fact]
    public void A_module_converts_in_place_keeping_values_and_tensor_identity()
    {
        manual_seed(1);
        using var m = new TinyResNet(4, 1, 3);
        var before = Snap.State(m);
        var stem = m.named_parameters().First(p => p.name == "stem.weight").parameter;
        using var opt = new SgdOptimizer(m.named_parameters().Select(p => (p.name, p.parameter)), 0.1, momentum: 0.9);
        m.ToMemoryFormat(MemoryFormat.ChannelsLast);
        AssertLayout(m, MemoryFormat.ChannelsLast);
        Assert.Equal(MemoryFormat.ChannelsLast, m.MemoryFormatOf());
        Assert.True(stem.Is(MemoryFormat.ChannelsLast));   // the tensor an optimizer holds is the converted one
        Snap.AssertBitwiseEqual(before, Snap.State(m));
        // A step through the optimizer created before the conversion updates the module's (channels-last) weights.
        using (var x = randn(2, 3, 8, 8).In(MemoryFormat.ChannelsLast))
        {
            opt.ZeroGrad();
            m.call(x).sum().backward();
            opt.Step();
        }
        Assert.False(Snap.Bitwise(before["stem.weight"], stem));
        AssertLayout(m, MemoryFormat.ChannelsLast);
        m.ToMemoryFormat(MemoryFormat.Contiguous);
        AssertLayout(m, MemoryFormat.Contiguous);
        Assert.Equal(MemoryFormat.Contiguous, m.MemoryFormatOf());
    }

    [Fact]
    public void Converting_a_zero_copy_pair_after_binding_is_refused()
    {
        using var pair = new TinyDefinition().CreatePair(null, 3, zeroCopy: true);
        var ex = Assert.Throws<InvalidOperationException>(() => pair.Base.ToMemoryFormat(MemoryFormat.ChannelsLast));
        Assert.Contains("view of a larger tensor", ex.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_channels_last_pair_starts_equal_and_keeps_sharing(bool zeroCopy)
    {
        var def = new TinyDefinition();
        using var nchw = def.CreatePair(null, 3, null, zeroCopy, MemoryFormat.Contiguous);
        using var nhwc = def.CreatePair(null, 3, null, zeroCopy, MemoryFormat.ChannelsLast);
        AssertLayout(nhwc.Motivated, MemoryFormat.ChannelsLast);
        // The base's prefix views of channels-last motivated weights are channels-last strided too, not dense.
        if (!zeroCopy) AssertLayout(nhwc.Base, MemoryFormat.ChannelsLast);
        Snap.AssertBitwiseEqual(Snap.State(nchw.Base), Snap.State(nhwc.Base));
        Snap.AssertBitwiseEqual(Snap.State(nchw.Motivated), Snap.State(nhwc.Motivated));
        Assert.Equal(zeroCopy, nhwc.Map.FullyShared);
        if (!zeroCopy) return;
        using var _ = no_grad();
        var e = nhwc.Map.Entries.First(x => x.Entry.BaseName == "stem.weight");
        var own = nhwc.Base.named_parameters().First(p => p.name == "stem.weight").parameter;
        using var was = own.clone();
        e.MotivatedRegion.add_(1);
        using var expected = was.add(1);
        Assert.True(Snap.Bitwise(expected, own));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_switch_round_trip_on_channels_last_weights_restores_the_base_bitwise(bool zeroCopy)
    {
        var (train, _) = Synthetic.Data(train: 64);
        using var __ = train;
        using var t = MotivationTrainer.Create(new TinyDefinition(), Options(MemoryFormat.ChannelsLast, zeroCopy, new Never()));
        t.Fit(train, null, 1);
        var weights = Snap.State(t.Pair.Base);
        var state = Snap.Optimizer(t.BaseOptimizer);
        t.SwitchToMotivated();
        // The motivated model holds the base's weights and optimizer state in its mapped regions.
        foreach (var e in t.Pair.Map.Entries)
            Assert.True(Snap.Bitwise(e.Base, e.MotivatedRegion), e.Entry.ToString());
        foreach (var e in t.Pair.Map.Entries.Where(e => e.Entry.Kind == TensorKind.Parameter))
            foreach (var s in t.BaseOptimizer.StateNames)
            {
                using var region = WeightsMap.RegionView(t.MotivatedOptimizer.GetState(e.Entry.MotivatedName, s), e.Entry.Region);
                Assert.True(Snap.Bitwise(t.BaseOptimizer.GetState(e.Entry.BaseName, s), region), $"{e.Entry} {s}");
            }
        t.SwitchToBase();
        Snap.AssertBitwiseEqual(weights, Snap.State(t.Pair.Base));
        Snap.AssertBitwiseEqual(state, Snap.Optimizer(t.BaseOptimizer));
        AssertLayout(t.Pair.Motivated, MemoryFormat.ChannelsLast);
        foreach (var p in t.MotivatedOptimizer.ParameterNames)
            foreach (var s in t.MotivatedOptimizer.StateNames)
            {
                var st = t.MotivatedOptimizer.GetState(p, s);
                if (st.dim() == 4) Assert.True(st.Is(MemoryFormat.ChannelsLast), $"optimizer state {p}/{s}");
            }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Training_in_both_layouts_gives_the_same_model_within_rounding(bool zeroCopy)
    {
        var (train, test) = Synthetic.Data(train: 96);
        using var _ = train;
        using var __ = test;
        using var a = MotivationTrainer.Create(new TinyDefinition(), Options(MemoryFormat.Contiguous, zeroCopy));
        using var b = MotivationTrainer.Create(new TinyDefinition(), Options(MemoryFormat.ChannelsLast, zeroCopy));
        var ra = a.Fit(train, null, 2);
        var rb = b.Fit(train, null, 2);
        Assert.True(ra.Accounting.SwitchesToMotivated > 0);
        Assert.Equal(ra.Accounting.SwitchesToMotivated, rb.Accounting.SwitchesToMotivated);
        AssertLayout(b.Pair.Motivated, MemoryFormat.ChannelsLast);
        // Float rounding differs between NCHW and NHWC kernels: compare logits relative to their scale.
        using var x = test.Batches(0).First().Input;
        foreach (var role in new[] { ModelRole.Base, ModelRole.Motivated })
        {
            var (ma, mb) = role == ModelRole.Base ? (a.Pair.Base, b.Pair.Base) : (a.Pair.Motivated, b.Pair.Motivated);
            ma.eval(); mb.eval();
            using var g = no_grad();
            using var la = ma.call(x);
            using var lb = mb.call(x.In(MemoryFormat.ChannelsLast));
            var scale = la.abs().max().item<float>();
            Assert.True(MaxAbsDiff(la, lb) <= 1e-3 * Math.Max(1, scale), $"{role}: logits differ by {MaxAbsDiff(la, lb)} (scale {scale})");
        }
        Assert.Equal(a.Evaluate(ModelRole.Motivated, test).Accuracy, b.Evaluate(ModelRole.Motivated, test).Accuracy, 1);
    }

    [Fact]
    public void Checkpoints_are_layout_independent_and_resume_is_bit_exact()
    {
        var (train, _) = Synthetic.Data(train: 64);
        using var __ = train;
        var dir = Directory.CreateTempSubdirectory("mdsl-cl").FullName;
        try
        {
            var path = Path.Combine(dir, "ckpt.mdsl");
            using var run = MotivationTrainer.Create(new TinyDefinition(), Options(MemoryFormat.ChannelsLast));
            run.Fit(train, null, 1);
            run.SaveCheckpoint(path);
            run.Fit(train, null, 2);

            // Same layout: the resumed run ends bit for bit where the uninterrupted one did.
            using var resumed = MotivationTrainer.Create(new TinyDefinition(), Options(MemoryFormat.ChannelsLast));
            resumed.LoadCheckpoint(path);
            AssertLayout(resumed.Pair.Motivated, MemoryFormat.ChannelsLast);
            resumed.Fit(train, null, 2);
            Snap.AssertBitwiseEqual(Snap.State(run.Pair.Base), Snap.State(resumed.Pair.Base));
            Snap.AssertBitwiseEqual(Snap.State(run.Pair.Motivated), Snap.State(resumed.Pair.Motivated));
            Snap.AssertBitwiseEqual(Snap.Optimizer(run.MotivatedOptimizer), Snap.Optimizer(resumed.MotivatedOptimizer));

            // The other layout loads the same checkpoint to the same values, and writes the same checkpoint back.
            using var nchw = MotivationTrainer.Create(new TinyDefinition(), Options(MemoryFormat.Contiguous));
            nchw.LoadCheckpoint(path);
            using var reference = MotivationTrainer.Create(new TinyDefinition(), Options(MemoryFormat.ChannelsLast));
            reference.LoadCheckpoint(path);
            AssertLayout(nchw.Pair.Motivated, MemoryFormat.Contiguous);
            Snap.AssertBitwiseEqual(Snap.State(reference.Pair.Motivated), Snap.State(nchw.Pair.Motivated));
            Snap.AssertBitwiseEqual(Snap.Optimizer(reference.BaseOptimizer), Snap.Optimizer(nchw.BaseOptimizer));
            var again = Path.Combine(dir, "again.mdsl");
            var fromCl = Path.Combine(dir, "from-cl.mdsl");
            nchw.SaveCheckpoint(again);
            reference.SaveCheckpoint(fromCl);
            Assert.Equal(TensorBytes(fromCl), TensorBytes(again));
        }
        finally { Directory.Delete(dir, true); }
    }

    // The data section of a checkpoint (everything after the header): the tensors' bytes in the file's order.
    private static byte[] TensorBytes(string path)
    {
        var all = File.ReadAllBytes(path);
        var headerLength = BitConverter.ToInt64(all, 12);
        return all[(int)(20 + headerLength)..];
    }
}

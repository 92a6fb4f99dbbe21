using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Training.Tests;

public class HotLoopTests
{
    private sealed class Norms : TrainerCallback
    {
        public readonly List<double> Values = [];
        public override void OnBatchEnd(MotivationTrainer t, in BatchResult r) => Values.Add(r.GradientNorm);
    }

    [Fact]
    public void Gradient_norm_is_computed_only_when_the_condition_asks()
    {
        var (train, _) = Synthetic.Data(train: 64);
        using var __ = train;
        foreach (var (cond, wanted) in new (IMotivationCondition, bool)[] { (new GradientNormRising(1), true), (new ConsecutiveDecrease(2), false) })
        {
            var n = new Norms();
            using var t = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions { Optimizer = new SgdOptions(0.05), Condition = cond, Callbacks = [n], Seed = 2 });
            t.Fit(train, null, 1);
            Assert.Equal(4, n.Values.Count);
            Assert.All(n.Values, v => Assert.Equal(wanted, double.IsFinite(v) && v > 0));
            Assert.All(n.Values, v => Assert.Equal(!wanted, double.IsNaN(v)));
        }
    }

    [Fact]
    public void Always_is_the_classical_large_model_and_Never_the_classical_base()
    {
        var (train, test) = Synthetic.Data(train: 64);
        using var _ = train; using var __ = test;
        var def = new TinyDefinition();
        using var large = MotivationTrainer.Create(def, new TrainerOptions { Optimizer = new SgdOptions(0.05), Condition = new Always(), Seed = 2 });
        var r = large.Fit(train, test, 2);
        Assert.Equal(1.0, r.Accounting.MotivatedShare);
        Assert.Equal(def.GetVariant(def.MotivatedVariant).Flops, r.Accounting.MeanForwardFlops);
        Assert.Equal(2, r.Accounting.ForcedSwitchesToBase);
        using var small = MotivationTrainer.Create(def, new TrainerOptions { Optimizer = new SgdOptions(0.05), Condition = new Never(), Seed = 2 });
        var s = small.Fit(train, test, 2);
        Assert.Equal(0.0, s.Accounting.MotivatedShare);
        Assert.Equal(def.GetVariant(def.BaseVariant).Flops, s.Accounting.MeanForwardFlops);
        Assert.Equal(0, s.Accounting.Switches);
        var summary = Efficiency.Compare(s, r, s);
        Assert.Equal(r.FinalMotivated!.Accuracy, summary.ClassicalLarge.Accuracy);
    }

    [Fact]
    public void Memory_is_flat_across_epochs()
    {
        var (train, test) = Synthetic.Data(train: 64);
        using var _ = train; using var __ = test;
        using var t = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions { Optimizer = new AdamOptions(), Condition = new RandomSchedule(0.5, 1), Seed = 2 });
        t.Fit(train, test, 1);
        GC.Collect(); GC.WaitForPendingFinalizers();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        t.Fit(train, test, 4);
        GC.Collect(); GC.WaitForPendingFinalizers();
        var after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.True(after - before <= 0, $"live tensors grew from {before} to {after}");
    }

    [Fact]
    public void Report_round_trips_through_json()
    {
        var (train, test) = Synthetic.Data(train: 32);
        using var _ = train; using var __ = test;
        using var t = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions { Optimizer = new SgdOptions(0.05), Seed = 2 });
        var r = t.Fit(train, test, 1);
        var json = r.ToJson();
        Assert.Contains("\"meanForwardFlops\"", json);
        var back = FitReport.FromJson(json);
        Assert.Equal(r.Epochs[0], back.Epochs[0]);
        Assert.Equal(r.Accounting.MeanForwardFlops, back.Accounting.MeanForwardFlops);
    }
}

public class CancellationTests
{
    private sealed class CancelAt(CancellationTokenSource cts, long step) : TrainerCallback
    {
        public override void OnBatchEnd(MotivationTrainer t, in BatchResult r) { if (r.GlobalStep == step) cts.Cancel(); }
    }

    [Fact]
    public void Cancelling_leaves_the_base_active_and_the_epoch_unrecorded()
    {
        var (train, _) = Synthetic.Data(train: 64);
        using var __ = train;
        using var cts = new CancellationTokenSource();
        using var t = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions
        {
            Optimizer = new MotivationDsl.Training.Optimizers.SgdOptions(0.05), Condition = new MotivationDsl.Training.Conditions.Always(),
            Callbacks = [new CancelAt(cts, 5)], Seed = 1,
        });
        Assert.ThrowsAny<OperationCanceledException>(() => t.Fit(train, null, 3, cts.Token));
        Assert.Equal(ModelRole.Base, t.Active);
        Assert.Equal(1, t.CompletedEpochs);
        Assert.Equal(6, t.GlobalStep);
    }
}

using MotivationDsl.Training.Checkpoints;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using MotivationDsl.Training.Schedules;
using static TorchSharp.torch;

namespace MotivationDsl.Training.Tests;

public sealed class RunTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mdsl-train-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        CheckpointFile.AfterTensorWritten = null;
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static TrainerOptions Options(IMotivationCondition? condition = null, IReadOnlyList<TrainerCallback>? callbacks = null, bool dropoutLoss = false) => new()
    {
        Optimizer = new SgdOptions(0.05, Momentum: 0.9, WeightDecay: 5e-4),
        Schedule = new CosineLr(0.05, TotalEpochs: 3, WarmupEpochs: 1),
        Condition = condition ?? new ConsecutiveDecrease(2),
        Callbacks = callbacks ?? [],
        Seed = 11,
        // Dropout on the logits draws from torch's global generator: proves the RNG state is checkpointed.
        Loss = dropoutLoss ? (o, t) => nn.functional.cross_entropy(nn.functional.dropout(o, 0.2, true), t) : null,
    };

    [Fact]
    public void Short_run_both_models_learn_and_the_motivated_share_is_between_0_and_1()
    {
        var (train, test) = Synthetic.Data();
        using var _ = train; using var __ = test;
        var def = new TinyDefinition();
        using var trainer = MotivationTrainer.Create(def, Options());
        var report = trainer.Fit(train, test, 3);
        output.WriteLine(report.ToJson());

        Assert.Equal(3, report.Epochs.Count);
        Assert.InRange(report.FinalBase!.Accuracy, 0.7, 1.0); // chance is 0.25; 0.87 here
        Assert.InRange(report.FinalMotivated!.Accuracy, 0.5, 1.0); // 0.77 here
        var a = report.Accounting;
        Assert.InRange(a.MotivatedShare, 0.01, 0.99);
        Assert.Equal(48, a.BaseBatches + a.MotivatedBatches);
        Assert.Equal(256 * 3, a.BaseSamples + a.MotivatedSamples);
        Assert.Equal(a.SwitchesToMotivated, a.SwitchesToBase);
        // Activations count those that trained a batch; a trigger on an epoch's last batch is a switch without one.
        Assert.InRange(a.SwitchesToMotivated - report.Epochs.Sum(e => e.Activations), 0, report.Epochs.Count);
        var bf = def.GetVariant(def.BaseVariant).Flops;
        var mf = def.GetVariant(def.MotivatedVariant).Flops;
        Assert.Equal(((double)a.BaseSamples * bf + (double)a.MotivatedSamples * mf) / (a.BaseSamples + a.MotivatedSamples), a.MeanForwardFlops, 6);
        Assert.InRange(a.MeanForwardFlops, bf, mf);
        Assert.Equal(3 * a.TrainingForwardFlops, a.TrainingFlops);
        Assert.True(a.TrainBaseSeconds > 0 && a.TrainMotivatedSeconds > 0 && a.EvalSeconds > 0);
        var last = report.Epochs[^1];
        Assert.InRange(last.BaseTrainAccuracy, 0.5, 1.0);
        Assert.InRange(last.MotivatedTrainAccuracy, 0.0, 1.0);
        Assert.Equal(256, last.BaseSamples + last.MotivatedSamples);
        Assert.InRange(last.MeanForwardFlops, bf, mf);
        Assert.Equal(a.BaseSamples, report.Epochs.Sum(e => e.BaseSamples));
    }

    [Fact]
    public void Efficiency_metrics_follow_the_formula()
    {
        var b = new RunPoint(0.9262, 82.82e6);
        var m = new RunPoint(0.9283, 92.47e6);
        var l = new RunPoint(0.9363, 2 * 69.1e6 * 2); // illustrative large F
        Assert.Equal((0.9283 - 0.9262) / (92.47e6 - 82.82e6) * 1e9, Efficiency.AccPerFlops(m, b) * 1e9, 9);
        Assert.Equal(Efficiency.AccPerFlops(m, b) / Efficiency.AccPerFlops(l, b), Efficiency.AccFRatio(m, l, b), 12);
        Assert.True(double.IsNaN(Efficiency.AccPerFlops(b, b)));
    }

    [Fact]
    public void Resume_after_one_epoch_equals_an_uninterrupted_two_epoch_run_bitwise()
    {
        var (train, test) = Synthetic.Data(train: 128);
        using var _ = train; using var __ = test;

        FitReport full;
        Dictionary<string, Tensor> fullBase, fullMot, fullOpt;
        using (var a = MotivationTrainer.Create(new TinyDefinition(), Options(dropoutLoss: true)))
        {
            full = a.Fit(train, test, 2);
            fullBase = Snap.State(a.Pair.Base); fullMot = Snap.State(a.Pair.Motivated); fullOpt = Snap.Optimizer(a.MotivatedOptimizer);
        }
        Assert.True(full.Accounting.MotivatedBatches > 0);

        var ckpt = new CheckpointCallback(_dir, keepLast: 1);
        using (var b = MotivationTrainer.Create(new TinyDefinition(), Options(callbacks: [ckpt], dropoutLoss: true)))
            b.Fit(train, test, 1);
        Assert.NotNull(CheckpointCallback.Latest(_dir));
        // Disturb the global generator: the checkpoint's RNG state must win.
        manual_seed(999);
        FitReport resumed;
        using (var c = MotivationTrainer.Create(new TinyDefinition(), Options(dropoutLoss: true) is var o ? new TrainerOptions
               { Optimizer = o.Optimizer, Schedule = o.Schedule, Condition = o.Condition, Loss = o.Loss, Seed = 12345 } : null!))
        {
            c.LoadCheckpoint(CheckpointCallback.Latest(_dir)!);
            Assert.Equal(1, c.CompletedEpochs);
            resumed = c.Fit(train, test, 2);
            Snap.AssertBitwiseEqual(fullBase, Snap.State(c.Pair.Base));
            Snap.AssertBitwiseEqual(fullMot, Snap.State(c.Pair.Motivated));
            Snap.AssertBitwiseEqual(fullOpt, Snap.Optimizer(c.MotivatedOptimizer));
        }
        Assert.Equal(full.Epochs.Count, resumed.Epochs.Count);
        for (var i = 0; i < full.Epochs.Count; i++)
        {
            var (x, y) = (full.Epochs[i], resumed.Epochs[i]);
            Assert.Equal(x with { Seconds = 0 }, y with { Seconds = 0 });
        }
        var (fa, ra) = (full.Accounting, resumed.Accounting);
        Assert.Equal((fa.BaseBatches, fa.MotivatedBatches, fa.BaseSamples, fa.MotivatedSamples, fa.SwitchesToMotivated, fa.SwitchesToBase, fa.ForcedSwitchesToBase),
            (ra.BaseBatches, ra.MotivatedBatches, ra.BaseSamples, ra.MotivatedSamples, ra.SwitchesToMotivated, ra.SwitchesToBase, ra.ForcedSwitchesToBase));
    }

    [Fact]
    public void Checkpoint_of_another_architecture_is_refused_naming_the_mismatch()
    {
        var (train, _) = Synthetic.Data(train: 32);
        using var __ = train;
        var path = Path.Combine(_dir, "a.mdckpt");
        using (var t = MotivationTrainer.Create(new TinyDefinition(), Options()))
        {
            t.Fit(train, null, 1);
            t.SaveCheckpoint(path);
        }
        using (var other = MotivationTrainer.Create(new TinyDefinition(name: "Tests.OtherNet"), Options()))
        {
            var ex = Assert.Throws<CheckpointMismatchException>(() => other.LoadCheckpoint(path));
            Assert.Contains("Tests.TinyResNet", ex.Message);
            Assert.Contains("Tests.OtherNet", ex.Message);
        }
        // Same names, other widths: refused by the tensor shapes, before anything is changed.
        using (var wider = MotivationTrainer.Create(new TinyDefinition(motivatedWidth: 6, motivatedVariant: "w8d2"), Options()))
        {
            var before = Snap.State(wider.Pair.Base);
            var ex = Assert.Throws<CheckpointMismatchException>(() => wider.LoadCheckpoint(path));
            Assert.Contains("motivated/stem.weight", ex.Message);
            Assert.Contains("[8, 3, 3, 3]", ex.Message);
            Assert.Contains("[6, 3, 3, 3]", ex.Message);
            Snap.AssertBitwiseEqual(before, Snap.State(wider.Pair.Base));
        }
        // Another optimizer is refused too.
        using (var adam = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions { Optimizer = new AdamOptions() }))
        {
            var ex = Assert.Throws<CheckpointMismatchException>(() => adam.LoadCheckpoint(path));
            Assert.Contains("sgd", ex.Message);
        }
    }

    [Fact]
    public void A_failing_write_leaves_no_partial_file_and_keeps_the_previous_checkpoint()
    {
        var (train, _) = Synthetic.Data(train: 32);
        using var __ = train;
        var path = Path.Combine(_dir, "x.mdckpt");
        using var t = MotivationTrainer.Create(new TinyDefinition(), Options());
        t.Fit(train, null, 1);

        CheckpointFile.AfterTensorWritten = i => { if (i == 3) throw new IOException("disk full (simulated)"); };
        Assert.Throws<IOException>(() => t.SaveCheckpoint(path));
        Assert.Empty(Directory.GetFiles(_dir));

        CheckpointFile.AfterTensorWritten = null;
        t.SaveCheckpoint(path);
        var good = File.ReadAllBytes(path);
        t.Fit(train, null, 2);
        CheckpointFile.AfterTensorWritten = i => { if (i == 5) throw new IOException("disk full (simulated)"); };
        Assert.Throws<IOException>(() => t.SaveCheckpoint(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
        Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Equal(1, CheckpointFile.ReadHeader(path)["completedEpochs"]!.GetValue<int>());
    }

    [Fact]
    public void Checkpoint_callback_keeps_the_last_n()
    {
        var (train, _) = Synthetic.Data(train: 32);
        using var __ = train;
        var cb = new CheckpointCallback(_dir, keepLast: 2);
        using var t = MotivationTrainer.Create(new TinyDefinition(), Options(callbacks: [cb]));
        t.Fit(train, null, 3);
        Assert.Equal(["epoch-0002.mdckpt", "epoch-0003.mdckpt"], CheckpointCallback.List(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Early_stopping_stops_the_fit()
    {
        var (train, test) = Synthetic.Data(train: 32);
        using var _ = train; using var __ = test;
        var es = new EarlyStopping(MonitoredMetric.BaseTestLoss, patience: 1, minDelta: 1e9);
        using var t = MotivationTrainer.Create(new TinyDefinition(), Options(callbacks: [es]));
        var r = t.Fit(train, test, 5);
        Assert.True(r.StoppedEarly);
        Assert.Equal(2, r.Epochs.Count);
    }
}

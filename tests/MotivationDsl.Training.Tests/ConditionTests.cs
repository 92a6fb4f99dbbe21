using System.Text.Json.Nodes;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using static TorchSharp.torch;

namespace MotivationDsl.Training.Tests;

public class ConditionTests
{
    private static bool[] Feed(IMotivationCondition c, params double[] losses) =>
        losses.Select((l, i) => c.Update(new BatchSignal(0, i, i, l, false, double.NaN))).ToArray();

    [Fact]
    public void ConsecutiveDecrease_switches_after_k_decreases_and_back_at_first_non_decrease()
    {
        var c = new ConsecutiveDecrease(2);
        Assert.Equal([false, false, true, true, false, false, true, true, false],
            Feed(c, 5, 4, 3, 2, 2.5, 2, 1, 0.5, 0.5)); // equal loss is not a decrease
    }

    [Theory]
    [InlineData(1, 1.0 / 2)]
    [InlineData(2, 1.0 / 6)]
    [InlineData(3, 1.0 / 24)]
    public void ConsecutiveDecrease_share_on_iid_losses_is_one_over_k_plus_1_factorial(int k, double expected)
    {
        var rng = new Random(17);
        var c = new ConsecutiveDecrease(k);
        var decisions = Feed(c, Enumerable.Range(0, 200_000).Select(_ => rng.NextDouble()).ToArray());
        Assert.InRange(decisions.Count(d => d) / 200_000.0, expected * 0.95, expected * 1.05);
    }

    [Fact]
    public void ConsecutiveDecrease_k3()
    {
        Assert.Equal([false, false, false, true, false], Feed(new ConsecutiveDecrease(3), 4, 3, 2, 1, 1.5));
    }

    [Fact]
    public void ConsecutiveDecrease_state_round_trips()
    {
        var a = new ConsecutiveDecrease(2);
        Feed(a, 5, 4.1234567890123);
        var b = new ConsecutiveDecrease(2);
        b.LoadState(JsonNode.Parse(a.SaveState().ToJsonString())!.AsObject());
        Assert.Equal(Feed(a, 3, 2, 7), Feed(b, 3, 2, 7));
    }

    [Fact]
    public void EmaOfLoss_triggers_only_on_a_relative_drop_below_the_average()
    {
        var c = new EmaOfLoss(alpha: 0.5, drop: 0.1);
        // ema: 10 -> (9.5 not < 9) ema 9.75 -> 8 < 8.775 yes, ema 8.875 -> 8.5 not < 7.9875
        Assert.Equal([false, false, true, false], Feed(c, 10, 9.5, 8, 8.5));
    }

    [Fact]
    public void GradientNormRising_counts_rises_of_the_norm_not_the_loss()
    {
        var c = new GradientNormRising(2);
        Assert.True(c.NeedsGradientNorm);
        var norms = new[] { 1.0, 2, 3, 2, 3, 4 };
        var got = norms.Select((n, i) => c.Update(new BatchSignal(0, i, i, 100 - i, false, n))).ToArray();
        Assert.Equal([false, false, true, false, false, true], got);
    }

    [Fact]
    public void RandomSchedule_has_the_rate_and_is_reproducible_and_resumable()
    {
        var a = new RandomSchedule(0.2, seed: 42);
        var first = Feed(a, new double[5000]);
        Assert.InRange(first.Count(x => x) / 5000.0, 0.18, 0.22);
        var b = new RandomSchedule(0.2, seed: 42);
        Assert.Equal(first, Feed(b, new double[5000]));
        var state = a.SaveState();
        var c = new RandomSchedule(0.2, seed: 42);
        c.LoadState(state);
        Assert.Equal(Feed(a, new double[100]), Feed(c, new double[100]));
    }

    [Fact]
    public void Never_and_Always()
    {
        Assert.All(Feed(new Never(), 3, 2, 1), Assert.False);
        Assert.All(Feed(new Always(), 3, 2, 1), Assert.True);
        Assert.True(((IMotivationCondition)new Always()).StartsEpochMotivated);
    }
}

/// <summary>Switch timing in the real trainer, with losses scripted through the loss function.</summary>
public class TrainerSwitchingTests
{
    private sealed class Recorder : TrainerCallback
    {
        public readonly List<(int Epoch, ModelRole Active)> Batches = [];
        public readonly List<SwitchEvent> Switches = [];
        public override void OnBatchEnd(MotivationTrainer t, in BatchResult r) => Batches.Add((r.Epoch, r.Active));
        public override void OnSwitch(MotivationTrainer t, in SwitchEvent e) => Switches.Add(e);
        public readonly List<EpochMetrics> Epochs = [];
        public override void OnEpochEnd(MotivationTrainer t, EpochMetrics m) => Epochs.Add(m);
    }

    private static Recorder Run(IMotivationCondition condition, double[][] lossesPerEpoch)
    {
        var rec = new Recorder();
        var script = lossesPerEpoch.SelectMany(x => x).ToArray();
        var i = 0;
        var options = new TrainerOptions
        {
            Optimizer = new SgdOptions(0.01),
            Condition = condition,
            // The scripted value plus 0 x output: a real graph, gradient zero, loss exactly as scripted.
            Loss = (o, t) => o.sum() * 0 + script[i++],
            Callbacks = [rec],
            Seed = 1,
        };
        var n = lossesPerEpoch[0].Length;
        using var x = zeros(n, 3, TinyDefinition.Size, TinyDefinition.Size);
        using var y = zeros(new long[] { n }, ScalarType.Int64);
        using var loader = new TensorDataLoader(x, y, 1);
        using var trainer = MotivationTrainer.Create(new TinyDefinition(), options);
        trainer.Fit(loader, null, lossesPerEpoch.Length);
        return rec;
    }

    private static string Roles(Recorder r, int epoch) =>
        string.Concat(r.Batches.Where(b => b.Epoch == epoch).Select(b => b.Active == ModelRole.Base ? 'B' : 'M'));

    [Fact]
    public void Motivated_from_the_batch_after_k_decreases_back_after_first_non_decrease_and_at_epoch_end()
    {
        var r = Run(new ConsecutiveDecrease(2), [
            [5, 4, 3, 2, 1, 0.5],
            [0.4, 0.3, 0.2, 0.3, 0.2, 0.1],
        ]);
        Assert.Equal("BBBMMM", Roles(r, 0));
        // Default boundary (ResetCounter): the counter restarts, the previous loss (0.5) is kept.
        // 0.4<0.5 c1, 0.3 c2 -> M next; 0.2 c3 M; 0.3 no -> B; 0.2 c1; 0.1 c2 -> (M next, but epoch ends)
        Assert.Equal("BBMMBB", Roles(r, 1));
        var forced = r.Switches.Where(s => s.Forced).ToList();
        Assert.Equal(2, forced.Count); // epoch 0 ends motivated; epoch 1's last batch triggers a switch that trains nothing
        // Activations count only those in which the motivated model trained: one per epoch, not epoch 1's last trigger.
        Assert.Equal([1, 1], r.Epochs.Select(e => e.Activations));
        Assert.Equal(3, r.Switches.Count(s => s.Direction == MapDirection.BaseToMotivated));
        Assert.All(forced, s => Assert.Equal(MapDirection.MotivatedToBase, s.Direction));
        Assert.Equal(r.Switches.Count(s => s.Direction == MapDirection.BaseToMotivated), r.Switches.Count(s => s.Direction == MapDirection.MotivatedToBase));
    }

    [Fact]
    public void Carry_boundary_keeps_the_streak_across_the_epoch_end()
    {
        var r = Run(new ConsecutiveDecrease(2, EpochBoundary.Carry), [
            [5, 4, 3, 2],
            [1, 2, 1, 0.5],
        ]);
        Assert.Equal("BBBM", Roles(r, 0));
        Assert.Equal("BMBB", Roles(r, 1));
    }

    [Fact]
    public void ResetAll_boundary_forgets_the_previous_loss()
    {
        var r = Run(new ConsecutiveDecrease(1, EpochBoundary.ResetAll), [
            [5, 4, 3],
            [2.5, 2, 1],
        ]);
        Assert.Equal("BBM", Roles(r, 0));
        Assert.Equal("BBM", Roles(r, 1)); // 2.5 is not compared with 3
        var d = Run(new ConsecutiveDecrease(1), [[5, 4, 3], [2.5, 2, 1]]);
        Assert.Equal("BMM", Roles(d, 1)); // default keeps the previous loss: 2.5 < 3 counts
    }

    /// <summary>
    /// Algorithm 1's two open choices, all four combinations on one script (k = 2). Epoch 0: 3, 2, 4, 3; epoch 1: 2.5, 5, 4, 4.
    /// First batch not a decrease (previous NaN): counts 0 1 0 1, never motivated. First batch a decrease (previous +inf):
    /// 1 2 -> motivated for batch 2 (4: back), then 1. Epoch 0 ends with the count at 1 either way; reset: epoch 1 counts
    /// 1 (2.5 &lt; 3) 0 1 0, never motivated; carry: 2 -> motivated for batch 1 (5: back), then 1 0.
    /// </summary>
    [Theory]
    [InlineData(FirstBatch.NotADecrease, EpochBoundary.ResetCounter, "BBBB", "BBBB")]
    [InlineData(FirstBatch.NotADecrease, EpochBoundary.Carry, "BBBB", "BMBB")]
    [InlineData(FirstBatch.Decrease, EpochBoundary.ResetCounter, "BBMB", "BBBB")]
    [InlineData(FirstBatch.Decrease, EpochBoundary.Carry, "BBMB", "BMBB")]
    public void First_batch_rule_and_epoch_boundary_combine(FirstBatch first, EpochBoundary boundary, string epoch0, string epoch1)
    {
        var r = Run(new ConsecutiveDecrease(2, boundary, first), [[3, 2, 4, 3], [2.5, 5, 4, 4]]);
        Assert.Equal(epoch0, Roles(r, 0));
        Assert.Equal(epoch1, Roles(r, 1));
    }

    [Fact]
    public void First_batch_as_a_decrease_survives_reset_all_and_checkpoints()
    {
        var c = new ConsecutiveDecrease(1, EpochBoundary.ResetAll, FirstBatch.Decrease);
        Assert.Equal("consecutive-decrease(k=1,epoch-boundary=ResetAll,first-batch=Decrease)", c.Name);
        Assert.Equal("consecutive-decrease(k=2)", new ConsecutiveDecrease(2).Name); // defaults keep the checkpointed name
        Assert.True(c.Update(new BatchSignal(0, 0, 0, 7, false, double.NaN))); // 7 < +inf
        c.OnEpochEnd(0);
        Assert.Equal(double.PositiveInfinity, c.PreviousLoss);
        var copy = new ConsecutiveDecrease(1, EpochBoundary.ResetAll, FirstBatch.Decrease);
        copy.LoadState(c.SaveState());
        Assert.Equal(double.PositiveInfinity, copy.PreviousLoss);
        c.Reset();
        Assert.Equal(double.PositiveInfinity, c.PreviousLoss);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConsecutiveDecrease(2, firstBatch: (FirstBatch)5));
    }

    [Fact]
    public void Always_trains_the_motivated_model_on_every_batch_and_Never_on_none()
    {
        var a = Run(new Always(), [[1, 1, 1], [1, 1, 1]]);
        Assert.Equal("MMM", Roles(a, 0));
        Assert.Equal("MMM", Roles(a, 1));
        var n = Run(new Never(), [[3, 2, 1, 0]]);
        Assert.Equal("BBBB", Roles(n, 0));
        Assert.Empty(n.Switches);
    }
}

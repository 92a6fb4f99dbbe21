using MotivationDsl.Training.Conditions;

namespace MotivationDsl.Training.Tests;

public class LearnedTriggerTests
{
    /// <summary>
    /// Drives the trigger through a scripted training process: every base batch lowers the base's loss by
    /// <paramref name="baseGain"/>, every motivated batch by <paramref name="motivatedGain"/>, plus small seeded noise.
    /// Returns the decision taken after every base batch.
    /// </summary>
    private static List<bool> Drive(LearnedTrigger t, int baseBatches, double baseGain, double motivatedGain, int seed = 3, int epochLength = 0)
    {
        var rng = new Random(seed);
        var loss = 2.0;
        var decisions = new List<bool>();
        long step = 0;
        for (var i = 0; i < baseBatches; i++)
        {
            var motivate = t.Update(new BatchSignal(0, i, step++, loss + 1e-4 * (rng.NextDouble() - 0.5), false, double.NaN));
            decisions.Add(motivate);
            loss -= baseGain;
            if (motivate)
            {
                Assert.False(t.Update(new BatchSignal(0, i, step++, loss, true, double.NaN)));   // one motivated batch, then back
                loss -= motivatedGain;
            }
            if (epochLength > 0 && (i + 1) % epochLength == 0) t.OnEpochEnd(i / epochLength);
        }
        return decisions;
    }

    private static LearnedTrigger New(ulong seed = 7) => new(baseFlops: 1_000_000_000, motivatedFlops: 2_000_000_000, seed);

    [Fact]
    public void Learns_to_motivate_when_the_motivated_batch_lowers_the_base_loss_more_per_flop()
    {
        // Per GFLOP: base 0.001 / 1; motivated (0.001 + 0.02) / 3 = 0.007.
        var d = Drive(New(), 600, 0.001, 0.02);
        var late = d.Skip(300).Count(x => x) / 300.0;
        Assert.InRange(late, 0.85, 1.0);   // greedy except the epsilon = 0.1 draws (half of which pick motivated anyway)
        Assert.True(New().Epsilon > 0);
    }

    [Fact]
    public void Keeps_the_base_when_motivation_does_not_pay_for_its_flops()
    {
        // Per GFLOP: base 0.001; motivated (0.001 + 0.0005) / 3 = 0.0005.
        var d = Drive(New(), 600, 0.001, 0.0005);
        var late = d.Skip(300).Count(x => x) / 300.0;
        Assert.InRange(late, 0.0, 0.15);   // only exploration: about epsilon / 2
        Assert.True(late > 0);
    }

    [Fact]
    public void Is_reproducible_from_its_seed_and_resumes_exactly_from_its_state()
    {
        var a = New(11);
        var first = Drive(a, 200, 0.001, 0.0012);
        Assert.Equal(first, Drive(New(11), 200, 0.001, 0.0012));
        Assert.NotEqual(first, Drive(New(12), 200, 0.001, 0.0012));
        var state = a.SaveState();
        var b = New(11);
        b.LoadState(state);
        Assert.Equal(a.MeanReward(true), b.MeanReward(true));
        Assert.Equal(a.Weight(false), b.Weight(false));
        Assert.Equal(Drive(a, 100, 0.001, 0.0012, seed: 5), Drive(b, 100, 0.001, 0.0012, seed: 5));
        b.Reset();
        Assert.Equal(first, Drive(b, 200, 0.001, 0.0012));
    }

    [Fact]
    public void Credits_the_base_arm_when_an_epoch_end_cancelled_a_motivated_decision()
    {
        var t = New();
        // Base first (tried once), then the motivated arm is tried: decision to motivate on the second batch.
        Assert.False(t.Update(new BatchSignal(0, 0, 0, 2.0, false, double.NaN)));
        Assert.True(t.Update(new BatchSignal(0, 1, 1, 1.9, false, double.NaN)));
        Assert.Equal(1, t.Weight(false));
        Assert.Equal(0, t.Weight(true));
        t.OnEpochEnd(0);   // the trainer ends the epoch un-motivated: the motivated batch never happened
        t.Update(new BatchSignal(1, 0, 2, 1.8, false, double.NaN));
        Assert.Equal(0, t.Weight(true));
        Assert.Equal(1 * t.Discount + 1, t.Weight(false), 12);
        Assert.Equal((0.1 * t.Discount + 0.1) / (t.Discount + 1), t.MeanReward(false), 9);   // 0.1 loss per GFLOP each time
    }

    [Fact]
    public void Rejects_bad_parameters()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearnedTrigger(0, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearnedTrigger(1, 1, 1, epsilon: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearnedTrigger(1, 1, 1, discount: 0));
        Assert.StartsWith("learned-bandit(", New().Name);
    }
}

using MotivationDsl.Benchmarks;

namespace MotivationDsl.Training.Tests;

/// <summary>The benchmarks' paired-ratio statistics (tests/MotivationDsl.Benchmarks/PairedRatio.cs).</summary>
public class PairedRatioTests
{
    [Theory]
    // Two-sided 95 % critical values (0.975 quantiles) from standard t tables.
    [InlineData(1, 12.7062)]
    [InlineData(2, 4.3027)]
    [InlineData(4, 2.7764)]
    [InlineData(9, 2.2622)]
    [InlineData(29, 2.0452)]
    [InlineData(120, 1.9799)]
    public void T_quantile_matches_tables(int df, double expected) =>
        Assert.Equal(expected, StudentT.Quantile(0.975, df), 3);

    [Fact]
    public void Interval_is_the_exponentiated_t_interval_of_the_log_ratios()
    {
        // logs: ln 1.1, ln 1.0, ln 0.9, ln 1.2 -> computed independently here.
        double[] r = [1.1, 1.0, 0.9, 1.2];
        var logs = r.Select(x => Math.Log(x)).ToArray();
        var mean = logs.Average();
        var sd = Math.Sqrt(logs.Sum(l => (l - mean) * (l - mean)) / 3);
        var half = 3.1824 * sd / 2;   // t(0.975, 3) = 3.1824, sqrt(4) = 2
        var ci = RatioInterval.Of(r);
        Assert.Equal(4, ci.Pairs);
        Assert.Equal(Math.Exp(mean), ci.Ratio, 10);
        Assert.Equal(Math.Exp(mean - half), ci.Lower, 4);
        Assert.Equal(Math.Exp(mean + half), ci.Upper, 4);
        Assert.True(ci.Lower < ci.Ratio && ci.Ratio < ci.Upper);
    }

    [Fact]
    public void Identical_ratios_give_a_zero_width_interval_and_one_ratio_an_unbounded_one()
    {
        var same = RatioInterval.Of([0.95, 0.95, 0.95]);
        Assert.Equal(0.95, same.Lower, 12);
        Assert.Equal(0.95, same.Upper, 12);
        Assert.Equal(0, same.HalfWidth, 12);
        var one = RatioInterval.Of([0.9]);
        Assert.True(double.IsPositiveInfinity(one.Upper));
        Assert.False(one.MeetsAtMost(1.0));
        Assert.Equal(0, RatioInterval.Of([double.NaN, -1, 0]).Pairs);
    }

    [Fact]
    public void A_goal_is_met_only_when_the_whole_interval_meets_it()
    {
        // Median below 1.0 but the interval straddles it: not met.
        var straddles = RatioInterval.Of([0.90, 1.05, 0.92, 1.04, 0.95]);
        Assert.True(straddles.Ratio < 1.0);
        Assert.True(straddles.Upper > 1.0);
        Assert.False(straddles.MeetsAtMost(1.0));
        var below = RatioInterval.Of([0.90, 0.91, 0.905, 0.899]);
        Assert.True(below.MeetsAtMost(1.0));
        Assert.False(below.MeetsAtLeast(1.0));
        Assert.True(below.MeetsAtLeast(0.85));
    }

    [Fact]
    public void Coverage_of_the_interval_is_near_95_percent_on_lognormal_noise()
    {
        // 2000 simulated experiments of 8 pairs each, true ratio 0.97, 10 % log-normal noise per measurement.
        var rng = new Random(7);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var covered = 0;
        for (var e = 0; e < 2000; e++)
        {
            var ratios = Enumerable.Range(0, 8).Select(_ => 0.97 * Math.Exp(0.1 * Normal()) / Math.Exp(0.1 * Normal())).ToArray();
            var ci = RatioInterval.Of(ratios);
            if (ci.Lower <= 0.97 && 0.97 <= ci.Upper) covered++;
        }
        Assert.InRange(covered / 2000.0, 0.93, 0.97);
    }

    [Fact]
    public void Rounds_rotate_the_order_and_stop_when_the_interval_is_narrow_enough()
    {
        var calls = new List<string>();
        var noise = new Random(3);
        var rounds = new PairedRounds([
            ("a", () => { calls.Add("a"); return 1.0 * (1 + 0.002 * noise.NextDouble()); }),
            ("b", () => { calls.Add("b"); return 2.0 * (1 + 0.002 * noise.NextDouble()); }),
        ]);
        rounds.Run(new PairedPlan(MinRounds: 4, MaxRounds: 50), r => [r.Ratio("a", "b")]);
        Assert.Equal(4, rounds.Rounds.Count);   // tiny noise: the minimum is enough
        Assert.Equal(["a", "b", "b", "a", "a", "b", "b", "a"], calls);
        var ci = rounds.Ratio("a", "b");
        Assert.InRange(ci.Ratio, 0.495, 0.505);
        Assert.True(ci.HalfWidth <= 0.02);
        Assert.Equal("a", rounds.Fastest("a", "b"));

        var noisy = new PairedRounds([("x", () => 1 + noise.NextDouble()), ("y", () => 1 + noise.NextDouble())]);
        noisy.Run(new PairedPlan(MinRounds: 3, MaxRounds: 7), r => [r.Ratio("x", "y")]);
        Assert.Equal(7, noisy.Rounds.Count);    // +-50 % noise never reaches +-2 %: stops at the cap
        Assert.True(noisy.Ratio("x", "y").HalfWidth > 0.02);
        Assert.Throws<ArgumentException>(() => noisy.Ratio("x", "z"));
    }

    [Fact]
    public void Max_rounds_cap_the_plan_and_lower_its_minimum_when_needed()
    {
        var full = PairedPlan.For(quick: false, repeats: 3);
        Assert.Equal(full, full.CappedAt(null));
        Assert.Equal(new PairedPlan(6, 20), full.CappedAt(20));
        Assert.Equal(new PairedPlan(4, 4), full.CappedAt(4));
        var noise = new Random(5);
        var rounds = new PairedRounds([("x", () => 1 + noise.NextDouble()), ("y", () => 1 + noise.NextDouble())]);
        rounds.Run(full.CappedAt(5), r => [r.Ratio("x", "y")]);
        Assert.Equal(5, rounds.Rounds.Count);
    }
}

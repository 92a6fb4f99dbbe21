using MotivationDsl.Benchmarks;

namespace MotivationDsl.Training.Tests;

/// <summary>The benchmarks' paired-difference statistics (tests/MotivationDsl.Benchmarks/PairedDifference.cs).</summary>
public class PairedDifferenceTests
{
    [Fact]
    public void Interval_is_the_t_interval_of_the_differences()
    {
        // Differences 1, 2, 3: mean 2, standard deviation 1, t(0.975, 2) = 4.3027 from tables.
        var ci = DifferenceInterval.Of([1.0, 2.0, 3.0]);
        Assert.Equal(3, ci.Pairs);
        Assert.Equal(2.0, ci.Mean, 12);
        Assert.Equal(2.0 - 4.3027 / Math.Sqrt(3), ci.Lower, 3);
        Assert.Equal(2.0 + 4.3027 / Math.Sqrt(3), ci.Upper, 3);
    }

    [Fact]
    public void A_goal_is_met_only_when_the_whole_interval_is_under_it()
    {
        var ci = DifferenceInterval.Of([1.0, 2.0, 3.0]);   // [-0.48, 4.48]
        Assert.False(ci.MeetsAtMost(2.5));
        Assert.True(ci.MeetsAtMost(4.5));
        Assert.False(DifferenceInterval.Of([1.0]).MeetsAtMost(100));   // one pair: no interval
        Assert.False(DifferenceInterval.Of([]).MeetsAtMost(100));
    }

    [Fact]
    public void Non_finite_differences_are_left_out()
    {
        var ci = DifferenceInterval.Of([1.0, double.NaN, 3.0, double.PositiveInfinity]);
        Assert.Equal(2, ci.Pairs);
        Assert.Equal(2.0, ci.Mean, 12);
    }
}

using System.Globalization;
using System.Text.Json.Nodes;

namespace MotivationDsl.Benchmarks;

/// <summary>
/// The 95 % confidence interval of a mean difference from paired measurements (one difference per pair, both sides
/// measured back to back): a Student-t interval on the differences. For figures that add up, such as the build time a
/// set of models adds; times that scale use <see cref="RatioInterval"/>. Pure math, linked into MotivationDsl.Training.Tests.
/// </summary>
internal readonly record struct DifferenceInterval(double Mean, double Lower, double Upper, int Pairs)
{
    /// <summary>The interval of the differences' mean; fewer than 2 finite differences give an unbounded interval.</summary>
    public static DifferenceInterval Of(IEnumerable<double> differences, double confidence = RatioInterval.DefaultConfidence)
    {
        var d = differences.Where(double.IsFinite).ToArray();
        if (d.Length == 0) return new(double.NaN, double.NaN, double.NaN, 0);
        var mean = d.Average();
        if (d.Length == 1) return new(mean, double.NegativeInfinity, double.PositiveInfinity, 1);
        var variance = d.Sum(x => (x - mean) * (x - mean)) / (d.Length - 1);
        var half = StudentT.Quantile(1 - (1 - confidence) / 2, d.Length - 1) * Math.Sqrt(variance / d.Length);
        return new(mean, mean - half, mean + half, d.Length);
    }

    /// <summary>A goal "difference &lt;= g" is met only when the whole interval is at or below it.</summary>
    public bool MeetsAtMost(double goal) => Pairs >= 2 && Upper <= goal;

    public string Text(string fmt) =>
        $"mean {Mean.ToString(fmt, CultureInfo.InvariantCulture)} [{Lower.ToString(fmt, CultureInfo.InvariantCulture)}, {Upper.ToString(fmt, CultureInfo.InvariantCulture)}]";

    public JsonObject Json() => new() { ["mean"] = Mean, ["ci95Lower"] = Lower, ["ci95Upper"] = Upper, ["pairs"] = Pairs };
}

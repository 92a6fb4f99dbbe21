using System.Globalization;
using System.Text.Json.Nodes;

namespace MotivationDsl.Benchmarks;

/// <summary>
/// The 95 % confidence interval of a time ratio from paired measurements: one ratio per pair (both sides measured back
/// to back, so a load change hits both), a Student-t interval on the log ratios, exponentiated. The centre is the
/// geometric mean ratio. Pure math, no TorchSharp: linked into MotivationDsl.Training.Tests, which tests it.
/// </summary>
internal readonly record struct RatioInterval(double Ratio, double Lower, double Upper, int Pairs)
{
    public const double DefaultConfidence = 0.95;

    /// <summary>The interval of the ratios' geometric mean; fewer than 2 finite positive ratios give an unbounded interval.</summary>
    public static RatioInterval Of(IEnumerable<double> ratios, double confidence = DefaultConfidence)
    {
        var logs = ratios.Where(r => double.IsFinite(r) && r > 0).Select(x => Math.Log(x)).ToArray();
        if (logs.Length == 0) return new(double.NaN, double.NaN, double.NaN, 0);
        var mean = logs.Average();
        if (logs.Length == 1) return new(Math.Exp(mean), 0, double.PositiveInfinity, 1);
        var variance = logs.Sum(l => (l - mean) * (l - mean)) / (logs.Length - 1);
        var half = StudentT.Quantile(1 - (1 - confidence) / 2, logs.Length - 1) * Math.Sqrt(variance / logs.Length);
        return new(Math.Exp(mean), Math.Exp(mean - half), Math.Exp(mean + half), logs.Length);
    }

    /// <summary>Relative half-width: the larger distance of an end from the centre, as a fraction of the centre (0.02 = +-2 %).</summary>
    public double HalfWidth => Pairs < 2 ? double.PositiveInfinity : Math.Max(Upper / Ratio - 1, 1 - Lower / Ratio);

    /// <summary>A goal "ratio &lt;= g" is met only when the whole interval is at or below it.</summary>
    public bool MeetsAtMost(double goal) => Pairs >= 2 && Upper <= goal;

    /// <summary>A goal "ratio &gt;= g" is met only when the whole interval is at or above it.</summary>
    public bool MeetsAtLeast(double goal) => Pairs >= 2 && Lower >= goal;

    public string Text(string fmt) =>
        $"{Ratio.ToString(fmt, CultureInfo.InvariantCulture)} [{Lower.ToString(fmt, CultureInfo.InvariantCulture)}, {Upper.ToString(fmt, CultureInfo.InvariantCulture)}]";

    public JsonObject Json() => new()
    {
        ["geometricMean"] = Ratio, ["ci95Lower"] = Lower, ["ci95Upper"] = Upper, ["pairs"] = Pairs,
        ["halfWidth"] = double.IsFinite(HalfWidth) ? HalfWidth : null,
    };
}

/// <summary>Quantiles of Student's t distribution (two-sided intervals need the 1 - alpha/2 quantile).</summary>
internal static class StudentT
{
    /// <summary>
    /// The p-quantile with <paramref name="df"/> degrees of freedom, p in (0.5, 1): bisection on the CDF, which is
    /// computed exactly from the regularized incomplete beta function (continued fraction, Numerical Recipes 6.4).
    /// </summary>
    public static double Quantile(double p, int df)
    {
        if (!(p > 0.5 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "p must be in (0.5, 1)");
        if (df < 1) throw new ArgumentOutOfRangeException(nameof(df), df, "degrees of freedom must be >= 1");
        double lo = 0, hi = 1;
        while (Cdf(hi, df) < p) hi *= 2;
        for (var i = 0; i < 200 && hi - lo > 1e-12 * hi; i++)
        {
            var mid = (lo + hi) / 2;
            if (Cdf(mid, df) < p) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }

    /// <summary>P(T &lt;= t) for t &gt;= 0: 1 - I_x(df/2, 1/2) / 2 with x = df / (df + t^2).</summary>
    public static double Cdf(double t, int df) => 1 - 0.5 * RegularizedBeta(df / (df + t * t), df / 2.0, 0.5);

    private static double RegularizedBeta(double x, double a, double b)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        var front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        return x < (a + 1) / (a + b + 2) ? front * BetaFraction(x, a, b) / a : 1 - front * BetaFraction(1 - x, b, a) / b;
    }

    private static double BetaFraction(double x, double a, double b)
    {
        const double tiny = 1e-300;
        double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
        if (Math.Abs(d) < tiny) d = tiny;
        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 300; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d; h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            var del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < 1e-15) break;
        }
        return h;
    }

    /// <summary>ln Gamma(x), x &gt; 0 (Lanczos, g = 7, 9 terms; relative error ~1e-15).</summary>
    private static double LogGamma(double x)
    {
        ReadOnlySpan<double> g =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        x -= 1;
        var s = g[0];
        for (var i = 1; i < 9; i++) s += g[i] / (x + i);
        var t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(s);
    }
}

/// <summary>How many rounds a paired measurement takes: at least <see cref="MinRounds"/>, then until every ratio's
/// interval is within +-<see cref="TargetHalfWidth"/> or <see cref="MaxRounds"/> is reached.</summary>
internal sealed record PairedPlan(int MinRounds, int MaxRounds, double TargetHalfWidth = 0.02)
{
    /// <remarks>Up to 80 rounds: on a quiet 2-core machine the step group's ratios need about 60 pairs for +-2 %.</remarks>
    public static PairedPlan For(bool quick, int repeats) =>
        quick ? new(Math.Max(3, repeats), Math.Max(3, repeats)) : new(Math.Max(6, repeats), Math.Max(80, repeats));

    /// <summary>This plan with at most <paramref name="maxRounds"/> rounds (null: unchanged), so a run's time can be bounded.</summary>
    public PairedPlan CappedAt(int? maxRounds) => maxRounds is { } m
        ? this with { MinRounds = Math.Min(MinRounds, m), MaxRounds = Math.Min(MaxRounds, m) }
        : this;
}

/// <summary>
/// Interleaved measurement of several arms (each a function returning seconds): every round runs every arm once, in an
/// order rotated by one each round so no arm always runs first or last; a ratio of two arms is formed per round.
/// </summary>
internal sealed class PairedRounds
{
    private readonly string[] _names;
    private readonly Func<double>[] _arms;
    private readonly List<double[]> _rounds = [];

    public PairedRounds(IReadOnlyList<(string Name, Func<double> Seconds)> arms)
    {
        if (arms.Count < 2) throw new ArgumentException("a paired measurement needs at least two arms", nameof(arms));
        _names = arms.Select(a => a.Name).ToArray();
        _arms = arms.Select(a => a.Seconds).ToArray();
    }

    public IReadOnlyList<double[]> Rounds => _rounds;

    /// <summary>The arms' seconds per round, in the order given to the constructor.</summary>
    public double[] Seconds(string arm) => _rounds.Select(r => r[Index(arm)]).ToArray();

    /// <summary>Per-round ratio numerator / denominator and its interval.</summary>
    public RatioInterval Ratio(string numerator, string denominator)
    {
        int n = Index(numerator), d = Index(denominator);
        return RatioInterval.Of(_rounds.Select(r => r[n] / r[d]));
    }

    /// <summary>The arm among <paramref name="candidates"/> with the smallest geometric-mean time.</summary>
    public string Fastest(params string[] candidates) =>
        candidates.MinBy(c => Seconds(c).Where(s => s > 0 && double.IsFinite(s)).Select(x => Math.Log(x)).DefaultIfEmpty(double.PositiveInfinity).Average())!;

    /// <summary>
    /// Runs rounds until the plan is satisfied for every interval <paramref name="watched"/> computes from the rounds so far
    /// (e.g. <c>r =&gt; [r.Ratio("ours", "theirs")]</c>). <paramref name="onRound"/> gets the round index and its seconds.
    /// </summary>
    public void Run(PairedPlan plan, Func<PairedRounds, IEnumerable<RatioInterval>> watched, Action<int, double[]>? onRound = null)
    {
        for (var r = 0; r < plan.MaxRounds; r++)
        {
            var seconds = new double[_arms.Length];
            for (var k = 0; k < _arms.Length; k++)
            {
                var i = (k + r) % _arms.Length;
                seconds[i] = _arms[i]();
            }
            _rounds.Add(seconds);
            onRound?.Invoke(r, seconds);
            if (_rounds.Count >= plan.MinRounds && watched(this).All(w => w.HalfWidth <= plan.TargetHalfWidth)) return;
        }
    }

    private int Index(string arm)
    {
        var i = Array.IndexOf(_names, arm);
        return i >= 0 ? i : throw new ArgumentException($"no arm named '{arm}' (arms: {string.Join(", ", _names)})", nameof(arm));
    }
}

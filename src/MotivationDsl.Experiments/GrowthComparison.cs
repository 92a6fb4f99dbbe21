using MotivationDsl.Training;

namespace MotivationDsl.Experiments;

/// <summary>
/// One difference of the experiment's metric between two rows, paired by seed: in percentage points for accuracy
/// (100 x the difference of the fractions), in bits per byte for a language model; every seed that has both rows, and
/// <see cref="Stats"/> of those values (the mean is the mean of the paired differences). Whether a difference is better
/// reads the metric's direction (<see cref="ExperimentMetrics.IsBetter"/>).
/// </summary>
public sealed record MetricDifference
{
    /// <summary>The row whose accuracy is subtracted from (e.g. X-F-B).</summary>
    public required string Row { get; init; }
    /// <summary>The row subtracted (e.g. X-Y-B).</summary>
    public required string Minus { get; init; }
    public required string Description { get; init; }
    public required IReadOnlyList<long> Seeds { get; init; }
    /// <summary>The metric compared: accuracy (higher is better) or bits per byte (lower is better).</summary>
    public ExperimentMetric Metric { get; init; }
    /// <summary>Row minus <see cref="Minus"/> per seed, in the metric's unit (<see cref="ExperimentMetrics.Unit"/>).</summary>
    public required IReadOnlyList<double> Points { get; init; }
    /// <summary>Over seeds, in the metric's unit.</summary>
    public required Stats Stats { get; init; }
    /// <summary>Seeds where <see cref="Row"/> is strictly better.</summary>
    public int Wins => Points.Count(p => Metric.IsBetter(p));
    /// <summary>Seeds where <see cref="Row"/> is strictly worse.</summary>
    public int Losses => Points.Count(p => Metric.IsBetter(-p));

    /// <summary>
    /// Better or worse when the mean paired difference exceeds the paired seed spread (the sample std of the
    /// differences) in size; otherwise, or with fewer than two seeds, not distinguishable at this budget.
    /// </summary>
    public Outcome Outcome => Points.Count < 2 || !(Math.Abs(Stats.Mean) > Stats.Std) ? Outcome.NotDistinguishable
        : Metric.IsBetter(Stats.Mean) ? Outcome.Better : Outcome.Worse;

    /// <summary>Row minus <paramref name="minus"/> for every seed that has both (each given as run kind and model).</summary>
    public static MetricDifference Paired(IReadOnlyList<RunRecord> runs, ExperimentMetric metric, string row, RunKind kind, ModelRole model,
        string minus, RunKind minusKind, ModelRole minusModel, string description)
    {
        var seeds = new List<long>();
        var points = new List<double>();
        foreach (var seed in runs.Select(r => r.Seed).Distinct().Order())
        {
            var a = Value(runs, metric, kind, model, seed);
            var b = Value(runs, metric, minusKind, minusModel, seed);
            if (a is null || b is null) continue;
            seeds.Add(seed);
            points.Add(metric.Scale() * (a.Value - b.Value));
        }
        return new MetricDifference { Row = row, Minus = minus, Description = description, Metric = metric, Seeds = seeds, Points = points, Stats = Stats.Of(points) };
    }

    private static double? Value(IReadOnlyList<RunRecord> runs, ExperimentMetric metric, RunKind kind, ModelRole model, long seed) =>
        runs.FirstOrDefault(r => r.Kind == kind && r.Seed == seed) is { } r ? metric.Of(r, model) : null;
}

/// <summary>How a paired difference reads (<see cref="MetricDifference.Outcome"/>).</summary>
public enum Outcome
{
    NotDistinguishable,
    Better,
    Worse,
}

/// <summary>
/// The function-preserving growth rule (X-F) against the paper's rule (X-Y) and the classical runs, same seeds and
/// budget: X-F-B - X-Y-B, X-F-M - X-Y-M, X-F-B - X-C, X-F-M - Y-C.
/// </summary>
public sealed record GrowthComparison(string Model, string GrowthModel, IReadOnlyList<MetricDifference> Differences)
{
    private static readonly (string Row, RunKind Kind, ModelRole Model, string Minus, RunKind MinusKind, ModelRole MinusModel, string Description)[] Pairs =
    [
        ("X-F-B", RunKind.MotivatedFunctionPreserving, ModelRole.Base, "X-Y-B", RunKind.Motivated, ModelRole.Base,
            "base: function-preserving rule minus the paper's rule"),
        ("X-F-M", RunKind.MotivatedFunctionPreserving, ModelRole.Motivated, "X-Y-M", RunKind.Motivated, ModelRole.Motivated,
            "motivated model: function-preserving rule minus the paper's rule"),
        ("X-F-B", RunKind.MotivatedFunctionPreserving, ModelRole.Base, "X-C", RunKind.ClassicalBase, ModelRole.Base,
            "base: function-preserving motivated run minus classical training"),
        ("X-F-M", RunKind.MotivatedFunctionPreserving, ModelRole.Motivated, "Y-C", RunKind.ClassicalLarge, ModelRole.Motivated,
            "motivated model: function-preserving motivated run minus the large model trained classically"),
    ];

    /// <summary>The comparison when the configuration has a growth model and at least one seed has both X-Y and X-F; else null.</summary>
    public static GrowthComparison? Of(ExperimentConfig config, IReadOnlyList<RunRecord> runs)
    {
        if (config.GrowthModel is null) return null;
        var xf = runs.Where(r => r.Kind == RunKind.MotivatedFunctionPreserving).Select(r => r.Seed).ToHashSet();
        if (!runs.Any(r => r.Kind == RunKind.Motivated && xf.Contains(r.Seed))) return null;
        var differences = Pairs.Select(p => MetricDifference.Paired(runs, config.Metric, p.Row, p.Kind, p.Model, p.Minus, p.MinusKind, p.MinusModel, p.Description)).ToList();
        return new GrowthComparison(config.Model, config.GrowthModel, differences);
    }
}

using MotivationDsl.Training;

namespace MotivationDsl.Experiments;

/// <summary>Mean, sample standard deviation (n - 1 in the denominator; 0 for a single value), min and max.</summary>
public readonly record struct Stats(int N, double Mean, double Std, double Min, double Max)
{
    public static Stats Of(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) return new Stats(0, double.NaN, double.NaN, double.NaN, double.NaN);
        var mean = xs.Average();
        var std = xs.Count > 1 ? Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1)) : 0;
        return new Stats(xs.Count, mean, std, xs.Min(), xs.Max());
    }
}

/// <summary>One table row: a model of a run kind, aggregated over seeds.</summary>
public sealed record RowSummary
{
    /// <summary>X-C, X-Y-B, X-Y-M, X-F-B, X-F-M, Y-C, X-R-B, X-R-M, X-E-B, X-E-M.</summary>
    public required string Row { get; init; }
    public required string Description { get; init; }
    public required RunKind Kind { get; init; }
    public required ModelRole Model { get; init; }
    public required IReadOnlyList<long> Seeds { get; init; }
    /// <summary>The experiment's metric per seed (<see cref="ExperimentConfig.Metric"/>: accuracy fractions, or bits per byte).</summary>
    public required IReadOnlyList<double> Values { get; init; }
    /// <summary>The metric over seeds.</summary>
    public required Stats Metric { get; init; }
    /// <summary>F (mean forward FLOPs per training forward) over seeds.</summary>
    public required Stats MeanForwardFlops { get; init; }
    /// <summary>F per token over seeds (language models); NaN otherwise.</summary>
    public Stats MeanForwardFlopsPerToken { get; init; }
    public required Stats MotivatedShare { get; init; }
    public required Stats WallSeconds { get; init; }
    /// <summary>Training FLOPs (forward + backward, <see cref="Accounting.TrainingFlops"/>) over seeds; NaN when records lack them.</summary>
    public Stats TrainingFlops { get; init; }
    /// <summary>
    /// Eq. 1 on the seed means: (mean Acc - mean Acc(X-C)) / (mean F - mean F(X-C)); NaN for X-C itself. With bits per byte
    /// as the metric, the change of bits per byte per FLOP of F (negative: the row is better than X-C).
    /// </summary>
    public double AccPerFlops { get; init; } = double.NaN;
    /// <summary>ACC/FLOPs of this row / ACC/FLOPs of Y-C (the paper's ACC/F ratio for X-Y-B); NaN without Y-C.</summary>
    public double AccFRatio { get; init; } = double.NaN;
    /// <summary>Eq. 1 computed per seed against the same seed's X-C, then aggregated (shows the spread of the metric).</summary>
    public Stats AccPerFlopsPerSeed { get; init; }
}

public sealed record ExperimentSummary(ExperimentConfig Config, string ConfigHash, IReadOnlyList<RowSummary> Rows, IReadOnlyList<RunRecord> Runs)
{
    /// <summary>The two growth rules compared (when both X-Y and X-F runs exist), else null.</summary>
    public GrowthComparison? Growth { get; init; }
    /// <summary>The motivated run against classical training at equal training FLOPs (with <see cref="ExperimentConfig.EqualFlops"/>), else null.</summary>
    public EqualFlopsComparison? EqualFlops { get; init; }
    /// <summary>Placement and initialisation of growth separated (when an X-FR or X-LI run exists), else null.</summary>
    public IReadOnlyList<MetricDifference>? GrowthAblation { get; init; }
    /// <summary>What the rows compare (<see cref="ExperimentConfig.Metric"/>).</summary>
    public ExperimentMetric Metric => Config.Metric;
    /// <summary>The learned trigger against the loss trigger and random activations at its share (when an X-L run exists), else null.</summary>
    public IReadOnlyList<MetricDifference>? Trigger { get; init; }
}

/// <summary>Turns run records into table rows with Eq. 1 metrics.</summary>
public static class Aggregation
{
    public static readonly IReadOnlyList<(string Row, RunKind Kind, ModelRole Model, string Description)> RowDefinitions =
    [
        ("X-C", RunKind.ClassicalBase, ModelRole.Base, "base trained classically"),
        ("X-Y-B", RunKind.Motivated, ModelRole.Base, "base of the motivated run"),
        ("X-Y-M", RunKind.Motivated, ModelRole.Motivated, "motivated model of the motivated run"),
        ("X-F-B", RunKind.MotivatedFunctionPreserving, ModelRole.Base, "base of the function-preserving motivated run"),
        ("X-F-M", RunKind.MotivatedFunctionPreserving, ModelRole.Motivated, "motivated model of that run"),
        ("Y-C", RunKind.ClassicalLarge, ModelRole.Motivated, "large model trained classically"),
        ("X-FR-B", RunKind.AblationFirstRandom, ModelRole.Base, "growth ablation: first-l placement + random extra blocks, base"),
        ("X-FR-M", RunKind.AblationFirstRandom, ModelRole.Motivated, "growth ablation: first-l placement + random extra blocks, motivated"),
        ("X-LI-B", RunKind.AblationLastIdentity, ModelRole.Base, "growth ablation: last-to-last placement + identity extra blocks, base"),
        ("X-LI-M", RunKind.AblationLastIdentity, ModelRole.Motivated, "growth ablation: last-to-last placement + identity extra blocks, motivated"),
        ("X-L-B", RunKind.LearnedTrigger, ModelRole.Base, "learned trigger (bandit on base-loss decrease per FLOP), base"),
        ("X-L-M", RunKind.LearnedTrigger, ModelRole.Motivated, "learned trigger, motivated"),
        ("X-LR-B", RunKind.LearnedTriggerRandom, ModelRole.Base, "random activations at the X-L share, base"),
        ("X-LR-M", RunKind.LearnedTriggerRandom, ModelRole.Motivated, "random activations at the X-L share, motivated"),
        ("X-C=F", RunKind.ClassicalBaseEqualFlops, ModelRole.Base, "base trained classically at the motivated run's training FLOPs"),
        ("Y-C=F", RunKind.ClassicalLargeEqualFlops, ModelRole.Motivated, "large model trained classically at the motivated run's training FLOPs"),
        ("X-R-B", RunKind.RandomAblation, ModelRole.Base, "ablation: random activations at the X-Y share, base"),
        ("X-R-M", RunKind.RandomAblation, ModelRole.Motivated, "ablation: random activations at the X-Y share, motivated"),
        ("X-E-B", RunKind.EmaAblation, ModelRole.Base, "ablation: EMA-of-loss trigger, base"),
        ("X-E-M", RunKind.EmaAblation, ModelRole.Motivated, "ablation: EMA-of-loss trigger, motivated"),
    ];

    public static ExperimentSummary Summarize(ExperimentConfig config, string hash, IReadOnlyList<RunRecord> runs)
    {
        var metric = config.Metric;
        var rows = new List<RowSummary>();
        foreach (var (row, kind, model, desc) in RowDefinitions)
        {
            var rs = runs.Where(r => r.Kind == kind && metric.Of(r, model) is not null).OrderBy(r => r.Seed).ToList();
            if (rs.Count == 0) continue;
            var values = rs.Select(r => metric.Of(r, model)!.Value).ToList();
            rows.Add(new RowSummary
            {
                Row = row, Description = desc, Kind = kind, Model = model,
                Seeds = rs.Select(r => r.Seed).ToList(),
                Values = values,
                Metric = Stats.Of(values),
                MeanForwardFlops = Stats.Of(rs.Select(r => r.MeanForwardFlops).ToList()),
                MeanForwardFlopsPerToken = Stats.Of(rs.Select(r => r.MeanForwardFlopsPerToken ?? double.NaN).ToList()),
                MotivatedShare = Stats.Of(rs.Select(r => r.MotivatedShare).ToList()),
                WallSeconds = Stats.Of(rs.Select(r => r.WallSeconds).ToList()),
                TrainingFlops = Stats.Of(rs.Select(r => r.TrainingFlops ?? double.NaN).ToList()),
            });
        }
        var xc = rows.FirstOrDefault(r => r.Row == "X-C");
        if (xc is not null)
        {
            var basePoint = new RunPoint(xc.Metric.Mean, xc.MeanForwardFlops.Mean);
            rows = rows.Select(r => r == xc ? r : r with
            {
                AccPerFlops = Efficiency.AccPerFlops(new RunPoint(r.Metric.Mean, r.MeanForwardFlops.Mean), basePoint),
                AccPerFlopsPerSeed = Stats.Of(r.Seeds.Select(s => PerSeed(runs, metric, r, s)).Where(v => v is not null).Select(v => v!.Value).ToList()),
            }).ToList();
            var yc = rows.FirstOrDefault(r => r.Row == "Y-C");
            if (yc is not null)
                rows = rows.Select(r => r == xc ? r : r with { AccFRatio = r.AccPerFlops / yc.AccPerFlops }).ToList();
        }
        return new ExperimentSummary(config, hash, rows, runs.OrderBy(r => r.Seed).ThenBy(r => r.Kind).ToList())
        {
            Growth = GrowthComparison.Of(config, runs),
            EqualFlops = EqualFlopsComparison.Of(config, runs),
            GrowthAblation = GrowthAblation.Of(runs, metric),
            Trigger = TriggerComparison(config, runs),
        };
    }

    /// <summary>X-L against the reference run's ConsecutiveDecrease(k) and against X-LR, base and motivated model.</summary>
    public static IReadOnlyList<MetricDifference>? TriggerComparison(ExperimentConfig config, IReadOnlyList<RunRecord> runs)
    {
        if (!runs.Any(r => r.Kind == RunKind.LearnedTrigger)) return null;
        var reference = config.EqualFlopsReference;
        var r = reference == RunKind.Motivated ? "X-Y" : "X-F";
        var list = new List<MetricDifference>();
        foreach (var (suffix, model, who) in new[] { ("-B", ModelRole.Base, "base"), ("-M", ModelRole.Motivated, "motivated model") })
        {
            list.Add(MetricDifference.Paired(runs, config.Metric, "X-L" + suffix, RunKind.LearnedTrigger, model, r + suffix, reference, model,
                $"{who}: learned trigger minus consecutive-decrease(k={config.K})"));
            list.Add(MetricDifference.Paired(runs, config.Metric, "X-L" + suffix, RunKind.LearnedTrigger, model, "X-LR" + suffix, RunKind.LearnedTriggerRandom, model,
                $"{who}: learned trigger minus random activations at its share"));
        }
        return list.Where(d => d.Seeds.Count > 0).ToList();
    }

    private static double? PerSeed(IReadOnlyList<RunRecord> runs, ExperimentMetric metric, RowSummary row, long seed)
    {
        var b = runs.FirstOrDefault(r => r.Kind == RunKind.ClassicalBase && r.Seed == seed);
        var m = runs.FirstOrDefault(r => r.Kind == row.Kind && r.Seed == seed);
        if (b is null || metric.Of(b, ModelRole.Base) is not { } ba || m is null || metric.Of(m, row.Model) is not { } ma) return null;
        return Efficiency.AccPerFlops(new RunPoint(ma, m.MeanForwardFlops), new RunPoint(ba, b.MeanForwardFlops));
    }
}

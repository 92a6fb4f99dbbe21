using MotivationDsl.Training;

namespace MotivationDsl.Experiments;

/// <summary>
/// The motivated run against classical training at equal training FLOPs, paired by seed: each model of the reference
/// motivated run (<see cref="ExperimentConfig.EqualFlopsReference"/>) against X-C=F and Y-C=F, and what the
/// budget change did to each classical model (X-C=F - X-C, Y-C=F - Y-C).
/// </summary>
public sealed record EqualFlopsComparison(string Reference, IReadOnlyList<MetricDifference> Differences)
{
    /// <summary>The comparison once some seed has the reference run and an equal-compute baseline; else null.</summary>
    public static EqualFlopsComparison? Of(ExperimentConfig config, IReadOnlyList<RunRecord> runs)
    {
        if (!config.EqualFlops) return null;
        var reference = config.EqualFlopsReference;
        var r = reference == RunKind.Motivated ? "X-Y" : "X-F";
        if (!runs.Any(x => x.Kind is RunKind.ClassicalBaseEqualFlops or RunKind.ClassicalLargeEqualFlops)) return null;
        const RunKind xcf = RunKind.ClassicalBaseEqualFlops, ycf = RunKind.ClassicalLargeEqualFlops;
        var differences = new List<MetricDifference>
        {
            MetricDifference.Paired(runs, config.Metric, r + "-B", reference, ModelRole.Base, "X-C=F", xcf, ModelRole.Base,
                "motivated run's base minus the base trained classically with the same training FLOPs"),
            MetricDifference.Paired(runs, config.Metric, r + "-M", reference, ModelRole.Motivated, "Y-C=F", ycf, ModelRole.Motivated,
                "motivated run's large model minus the large model trained classically with the same training FLOPs"),
            MetricDifference.Paired(runs, config.Metric, r + "-M", reference, ModelRole.Motivated, "X-C=F", xcf, ModelRole.Base,
                "motivated run's large model minus the classical base at the same training FLOPs"),
            MetricDifference.Paired(runs, config.Metric, r + "-B", reference, ModelRole.Base, "Y-C=F", ycf, ModelRole.Motivated,
                "motivated run's base minus the classical large model at the same training FLOPs"),
            MetricDifference.Paired(runs, config.Metric, "X-C=F", xcf, ModelRole.Base, "X-C", RunKind.ClassicalBase, ModelRole.Base,
                "classical base: equal-compute budget minus the equal-step budget"),
            MetricDifference.Paired(runs, config.Metric, "Y-C=F", ycf, ModelRole.Motivated, "Y-C", RunKind.ClassicalLarge, ModelRole.Motivated,
                "classical large model: equal-compute budget minus the equal-step budget"),
        };
        return new EqualFlopsComparison(r, differences.Where(d => d.Seeds.Count > 0).ToList());
    }
}

using MotivationDsl.Training;

namespace MotivationDsl.Experiments;

/// <summary>
/// The 2 x 2 growth ablation: placement (last-to-last: X-Y, X-LI; first-l: X-FR, X-F) crossed with the extra blocks'
/// initialisation (random: X-Y, X-FR; identity: X-LI, X-F), same trigger, seeds and budget. Each difference changes
/// one factor and keeps the other, for the base and for the motivated model.
/// </summary>
public static class GrowthAblation
{
    private static readonly (string Row, RunKind Kind, string Minus, RunKind MinusKind, string What)[] Pairs =
    [
        ("X-FR", RunKind.AblationFirstRandom, "X-Y", RunKind.Motivated, "placement first-l minus last-to-last, random extra blocks"),
        ("X-F", RunKind.MotivatedFunctionPreserving, "X-LI", RunKind.AblationLastIdentity, "placement first-l minus last-to-last, identity extra blocks"),
        ("X-LI", RunKind.AblationLastIdentity, "X-Y", RunKind.Motivated, "initialisation identity minus random, last-to-last placement"),
        ("X-F", RunKind.MotivatedFunctionPreserving, "X-FR", RunKind.AblationFirstRandom, "initialisation identity minus random, first-l placement"),
    ];

    /// <summary>The differences that have at least one seed with both runs, once an X-FR or X-LI run exists; else null.</summary>
    public static IReadOnlyList<MetricDifference>? Of(IReadOnlyList<RunRecord> runs, ExperimentMetric metric)
    {
        if (!runs.Any(r => r.Kind is RunKind.AblationFirstRandom or RunKind.AblationLastIdentity)) return null;
        var list = new List<MetricDifference>();
        foreach (var (row, kind, minus, minusKind, what) in Pairs)
            foreach (var (suffix, model, who) in new[] { ("-B", ModelRole.Base, "base"), ("-M", ModelRole.Motivated, "motivated model") })
            {
                var d = MetricDifference.Paired(runs, metric, row + suffix, kind, model, minus + suffix, minusKind, model, $"{who}: {what}");
                if (d.Seeds.Count > 0) list.Add(d);
            }
        return list;
    }
}

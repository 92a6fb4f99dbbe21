using System.Globalization;
using MotivationDsl.Training;

namespace MotivationDsl.Experiments;

/// <summary>
/// The number an experiment's rows compare: a classifier's test accuracy (higher is better) or a language model's
/// held-out bits per byte (lower is better). Differences, wins, verdicts and plots read the direction from here.
/// </summary>
public enum ExperimentMetric
{
    /// <summary>Final test accuracy, shown in percent; differences in percentage points (pp).</summary>
    TestAccuracy,
    /// <summary>Final held-out loss in bits per byte (next-token cross entropy / ln 2 per byte); differences in bits per byte.</summary>
    HeldOutBitsPerByte,
}

public static class ExperimentMetrics
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The metric of a model's task.</summary>
    public static ExperimentMetric For(ModelTask task) => task == ModelTask.LanguageModel ? ExperimentMetric.HeldOutBitsPerByte : ExperimentMetric.TestAccuracy;

    public static bool HigherIsBetter(this ExperimentMetric m) => m == ExperimentMetric.TestAccuracy;

    /// <summary>True when <paramref name="difference"/> (a minus b) says a is strictly better than b.</summary>
    public static bool IsBetter(this ExperimentMetric m, double difference) => m.HigherIsBetter() ? difference > 0 : difference < 0;

    /// <summary>Shown value = stored value x scale (accuracy fractions as percent; bits per byte as they are).</summary>
    public static double Scale(this ExperimentMetric m) => m == ExperimentMetric.TestAccuracy ? 100 : 1;

    /// <summary>Unit of a difference: percentage points or bits per byte.</summary>
    public static string Unit(this ExperimentMetric m) => m == ExperimentMetric.TestAccuracy ? "pp" : "bpb";

    /// <summary>Column and axis label of the shown value.</summary>
    public static string Label(this ExperimentMetric m) => m == ExperimentMetric.TestAccuracy ? "test acc %" : "held-out bits per byte";

    /// <summary>"higher is better" or "lower is better".</summary>
    public static string Direction(this ExperimentMetric m) => m.HigherIsBetter() ? "higher is better" : "lower is better";

    /// <summary>A stored value as shown (two decimals for percent, four for bits per byte); "-" when not finite.</summary>
    public static string Format(this ExperimentMetric m, double v) =>
        double.IsFinite(v) ? (m.Scale() * v).ToString(m == ExperimentMetric.TestAccuracy ? "F2" : "F4", Inv) : "-";

    /// <summary>A difference already in <see cref="Unit"/>, signed.</summary>
    public static string FormatDifference(this ExperimentMetric m, double v) =>
        double.IsFinite(v) ? v.ToString(m == ExperimentMetric.TestAccuracy ? "+0.00;-0.00;0.00" : "+0.0000;-0.0000;0.0000", Inv) : "-";

    /// <summary>A spread (non-negative) in <see cref="Unit"/>.</summary>
    public static string FormatSpread(this ExperimentMetric m, double v) =>
        double.IsFinite(v) ? v.ToString(m == ExperimentMetric.TestAccuracy ? "F2" : "F4", Inv) : "-";

    /// <summary>The metric of one model of a run, or null when the run did not evaluate that model.</summary>
    public static double? Of(this ExperimentMetric m, RunRecord r, ModelRole model) => m switch
    {
        ExperimentMetric.TestAccuracy => model == ModelRole.Base ? r.BaseAccuracy : r.MotivatedAccuracy,
        ExperimentMetric.HeldOutBitsPerByte => model == ModelRole.Base ? r.BaseBitsPerByte : r.MotivatedBitsPerByte,
        _ => throw new ArgumentOutOfRangeException(nameof(m)),
    };
}

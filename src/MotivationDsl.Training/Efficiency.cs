namespace MotivationDsl.Training;

/// <summary>One run's summary for the efficiency metrics: the accuracy to judge and its mean forward FLOPs (the paper's F).</summary>
public readonly record struct RunPoint(double Accuracy, double MeanForwardFlops)
{
    /// <summary>The base model's final test accuracy and the run's F.</summary>
    public static RunPoint BaseOf(FitReport r) => new(Final(r.FinalBase, "base"), r.Accounting.MeanForwardFlops);

    /// <summary>The motivated model's final test accuracy and the run's F.</summary>
    public static RunPoint MotivatedOf(FitReport r) => new(Final(r.FinalMotivated, "motivated"), r.Accounting.MeanForwardFlops);

    private static double Final(EvalResult e, string which) =>
        e.Evaluated ? e.Accuracy : throw new ArgumentException($"The report has no final {which} test accuracy (no test loader?).");
}

/// <summary>The paper's efficiency metrics (Eq. 1), computed from reports, never copied from tables.</summary>
public static class Efficiency
{
    /// <summary>ACC/FLOPs = (Acc_new - Acc_base) / (F_new - F_base); NaN when F_new == F_base.</summary>
    public static double AccPerFlops(RunPoint method, RunPoint classicalBase)
    {
        var df = method.MeanForwardFlops - classicalBase.MeanForwardFlops;
        return df == 0 ? double.NaN : (method.Accuracy - classicalBase.Accuracy) / df;
    }

    /// <summary>
    /// ACC/F ratio = ACC/FLOPs(motivated run's base) / ACC/FLOPs(large model trained classically), both relative
    /// to the classically trained base.
    /// </summary>
    public static double AccFRatio(RunPoint motivatedBase, RunPoint classicalLarge, RunPoint classicalBase) =>
        AccPerFlops(motivatedBase, classicalBase) / AccPerFlops(classicalLarge, classicalBase);

    /// <summary>All metrics from three reports: a classical base run (Never), a classical large run (Always; its motivated model is the large one) and a motivated run.</summary>
    public static EfficiencySummary Compare(FitReport classicalBase, FitReport classicalLarge, FitReport motivated)
    {
        var b = RunPoint.BaseOf(classicalBase);
        var l = RunPoint.MotivatedOf(classicalLarge);
        var mb = RunPoint.BaseOf(motivated);
        var mm = RunPoint.MotivatedOf(motivated);
        return new EfficiencySummary(b, l, mb, mm,
            AccPerFlops(mb, b), AccPerFlops(mm, b), AccPerFlops(l, b), AccFRatio(mb, l, b));
    }
}

/// <summary>Result of <see cref="Efficiency.Compare"/>. Accuracies as in the reports (fractions in [0,1]); FLOPs per sample.</summary>
public sealed record EfficiencySummary(
    RunPoint ClassicalBase,
    RunPoint ClassicalLarge,
    RunPoint MotivatedBase,
    RunPoint MotivatedModel,
    double MotivatedBaseAccPerFlops,
    double MotivatedModelAccPerFlops,
    double ClassicalLargeAccPerFlops,
    double AccFRatio);

using System.Text.Json.Serialization;

namespace MotivationDsl.Reporting;

/// <summary>
/// Metrics of one model (base or motivated) over an epoch or a run. Accuracies are fractions in [0, 1].
/// Null means "not measured" (e.g. the motivated model was not evaluated).
/// </summary>
public sealed record ModelMetrics
{
    /// <summary>Evaluation (test/validation) accuracy in [0, 1].</summary>
    public double? Accuracy { get; init; }
    /// <summary>Evaluation mean loss.</summary>
    public double? Loss { get; init; }
    /// <summary>Mean training batch loss over the steps this model was the active one.</summary>
    public double? TrainLoss { get; init; }
    /// <summary>Training accuracy in [0, 1] over the steps this model was active, when measured.</summary>
    public double? TrainAccuracy { get; init; }
    /// <summary>Training forward passes made by this model (one per step it was active).</summary>
    public long Forwards { get; init; }
    /// <summary>Language models: exp(evaluation loss per token). Absent for classification.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Perplexity { get; init; }
    /// <summary>Language models: evaluation bits per byte (loss / ln 2 for a byte-level vocabulary). Absent otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? BitsPerByte { get; init; }
}

/// <summary>Static description of one of the two models.</summary>
public sealed record ModelInfo
{
    public string Name { get; init; } = "";
    public long? Parameters { get; init; }
    /// <summary>Forward FLOPs of one input (the paper's convention: 2 x MACs).</summary>
    public double? ForwardFlops { get; init; }
    /// <summary>Language models: tokens per input (the context length), so FLOPs per token = <see cref="ForwardFlops"/> / this. Absent otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? TokensPerInput { get; init; }
}

/// <summary>One epoch of a motivated run.</summary>
public sealed record EpochReport
{
    /// <summary>1-based epoch number.</summary>
    public int Epoch { get; init; }
    /// <summary>Training steps (batches) in this epoch.</summary>
    public long Steps { get; init; }
    /// <summary>Steps trained by the motivated model.</summary>
    public long MotivatedSteps { get; init; }
    /// <summary>Activations of the motivated model that trained at least one batch (a trigger on an epoch's last batch trains none).</summary>
    public int Activations { get; init; }
    /// <summary>MotivatedSteps / Steps (share of training forwards done by the motivated model).</summary>
    public double MotivatedShare { get; init; }
    public ModelMetrics Base { get; init; } = new();
    public ModelMetrics Motivated { get; init; } = new();
    /// <summary>The paper's F for this epoch: mean forward FLOPs per training forward pass.</summary>
    public double? MeanForwardFlops { get; init; }
    /// <summary>Language models: F per token (<see cref="MeanForwardFlops"/> / tokens per input). Absent otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? MeanForwardFlopsPerToken { get; init; }
    /// <summary>Sum of training forward FLOPs this epoch (per input: forwards x FLOPs of the active model).</summary>
    public double? TotalForwardFlops { get; init; }
    public double? LearningRate { get; init; }
    /// <summary>Wall-clock seconds of the epoch (training and evaluation).</summary>
    public double WallSeconds { get; init; }
}

/// <summary>Totals and final metrics of a run.</summary>
public sealed record FinalReport
{
    public long Steps { get; init; }
    public long MotivatedSteps { get; init; }
    public int Activations { get; init; }
    public double MotivatedShare { get; init; }
    /// <summary>Final evaluation of the base model; Forwards = all its training forwards.</summary>
    public ModelMetrics Base { get; init; } = new();
    /// <summary>Final evaluation of the motivated model; Forwards = all its training forwards.</summary>
    public ModelMetrics Motivated { get; init; } = new();
    /// <summary>F of the whole run: (base forwards x base FLOPs + motivated forwards x motivated FLOPs) / all forwards.</summary>
    public double? MeanForwardFlops { get; init; }
    /// <summary>Language models: F per token. Absent otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? MeanForwardFlopsPerToken { get; init; }
    public double? TotalForwardFlops { get; init; }
    public double WallSeconds { get; init; }
}

/// <summary>Everything report.json holds. Serialised by <see cref="ReportJson"/>.</summary>
public sealed record RunReport
{
    public const string CurrentSchema = "motivationdsl.report/1";

    /// <summary>Schema id, "motivationdsl.report/1". Readers reject other major versions.</summary>
    [JsonPropertyOrder(-10)]
    public string Schema { get; init; } = CurrentSchema;
    public string? RunName { get; init; }
    public DateTimeOffset? StartedUtc { get; init; }
    public DateTimeOffset? FinishedUtc { get; init; }
    /// <summary>Dataset name and source (e.g. "Fashion-MNIST, /usr/share/datasets/fashion-mnist").</summary>
    public string? Dataset { get; init; }
    /// <summary>Training method: "motivated" or a baseline ("classical").</summary>
    public string? Method { get; init; }
    /// <summary>Motivation condition, e.g. "loss-decrease k=2".</summary>
    public string? Condition { get; init; }
    public long? Seed { get; init; }
    /// <summary>Free-form settings (optimizer, batch size, ...), as strings.</summary>
    public IReadOnlyDictionary<string, string>? Config { get; init; }
    public ModelInfo BaseModel { get; init; } = new();
    public ModelInfo MotivatedModel { get; init; } = new();
    public IReadOnlyList<EpochReport> Epochs { get; init; } = [];
    /// <summary>Null while the run is in progress.</summary>
    public FinalReport? Final { get; init; }
    /// <summary>Training batches skipped for a NaN/infinite loss (train --non-finite-loss skip); 0 otherwise.</summary>
    public long SkippedBatches { get; init; }
    /// <summary>Set when the run stopped because the training loss became NaN or infinite; no models were exported then.</summary>
    public DivergenceReport? Diverged { get; init; }
}

/// <summary>Where a run diverged (its training loss became NaN or infinite).</summary>
public sealed record DivergenceReport
{
    /// <summary>Global step (0-based) of the batch whose loss was not finite.</summary>
    public long Step { get; init; }
    /// <summary>1-based epoch of that batch.</summary>
    public int Epoch { get; init; }
    /// <summary>"base" or "motivated": the model that was training.</summary>
    public string Model { get; init; } = "";
    /// <summary>The loss (NaN, Infinity or -Infinity).</summary>
    public double Loss { get; init; }
    /// <summary>The newest intact checkpoint (the last good state), or null when none was written.</summary>
    public string? LastCheckpoint { get; init; }
}

/// <summary>One training step, for the step-level outputs (TensorBoard, loss curve, steps.csv).</summary>
/// <param name="Step">Global step, 0-based, over the whole run.</param>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Loss">The step's training batch loss (of whichever model was active).</param>
/// <param name="Motivated">True when the motivated model did this step.</param>
public readonly record struct StepRecord(long Step, int Epoch, double Loss, bool Motivated);

/// <summary>The paper's FLOPs accounting (forward passes only; backward, optimizer steps and switch copies excluded).</summary>
public static class Flops
{
    /// <summary>F = (bf x Fb + mf x Fm) / (bf + mf); null when there were no forwards.</summary>
    public static double? MeanForward(long baseForwards, double baseFlops, long motivatedForwards, double motivatedFlops)
    {
        long all = baseForwards + motivatedForwards;
        return all == 0 ? null : (baseForwards * baseFlops + motivatedForwards * motivatedFlops) / all;
    }

    /// <summary>bf x Fb + mf x Fm (per input; multiply by the batch size for per-sample totals).</summary>
    public static double Total(long baseForwards, double baseFlops, long motivatedForwards, double motivatedFlops)
        => baseForwards * baseFlops + motivatedForwards * motivatedFlops;

    /// <summary>The paper's ACC/FLOPs: (Acc_new - Acc_base) / (F_new - F_base); null when F does not change.</summary>
    public static double? AccuracyPerFlops(double accNew, double fNew, double accBase, double fBase)
        => fNew == fBase ? null : (accNew - accBase) / (fNew - fBase);
}

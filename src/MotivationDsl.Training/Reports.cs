using System.Text.Json.Serialization;

namespace MotivationDsl.Training;

/// <summary>Which model of the pair.</summary>
public enum ModelRole
{
    Base = 0,
    Motivated = 1,
}

/// <summary>
/// Loss and accuracy of one model on the test set (eval mode, no grad): per sample for classification; for a language
/// model per token (<see cref="LanguageModelTask"/>), with the tokens counted and the perplexity and bits per byte.
/// </summary>
public sealed record EvalResult(double Loss, double Accuracy, long Samples)
{
    /// <summary>Target tokens evaluated (language models; null otherwise).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Tokens { get; init; }
    /// <summary>exp(<see cref="Loss"/>) (language models; null otherwise).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Perplexity { get; init; }
    /// <summary><see cref="Loss"/> / ln 2 / bytes per token (byte-level language models: loss / ln 2; null otherwise).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? BitsPerByte { get; init; }

    /// <summary>No test evaluation took place: NaN loss and accuracy, 0 samples.</summary>
    public static EvalResult NotEvaluated { get; } = new(double.NaN, double.NaN, 0);

    /// <summary>False for <see cref="NotEvaluated"/> (and any evaluation of no samples).</summary>
    [JsonIgnore] public bool Evaluated => Samples > 0;
}

/// <summary>Metrics of one finished epoch.</summary>
public sealed record EpochMetrics
{
    public int Epoch { get; init; }
    /// <summary>Global step after the epoch (batches trained since the run began).</summary>
    public long GlobalStep { get; init; }
    public int BaseBatches { get; init; }
    public int MotivatedBatches { get; init; }
    /// <summary>Mean raw batch loss over the batches each model trained (NaN when it trained none).</summary>
    public double BaseTrainLoss { get; init; }
    public double MotivatedTrainLoss { get; init; }
    /// <summary>Mean raw batch loss over all batches of the epoch.</summary>
    public double TrainLoss { get; init; }
    /// <summary>Training accuracy of each model over the batches it trained (NaN when none or not tracked).</summary>
    public double BaseTrainAccuracy { get; init; } = double.NaN;
    public double MotivatedTrainAccuracy { get; init; } = double.NaN;
    /// <summary>Training samples each model did forward passes on in this epoch.</summary>
    public long BaseSamples { get; init; }
    public long MotivatedSamples { get; init; }
    /// <summary>The paper's F for this epoch (mean forward FLOPs per training sample).</summary>
    public double MeanForwardFlops { get; init; }
    /// <summary>
    /// Activations of the motivated model in this epoch that trained at least one batch. A trigger on the epoch's last
    /// batch switches to the motivated model and straight back (counted in <see cref="Accounting.SwitchesToMotivated"/>), not here.
    /// </summary>
    public int Activations { get; init; }
    public double MotivatedShare => BaseBatches + MotivatedBatches == 0 ? 0 : (double)MotivatedBatches / (BaseBatches + MotivatedBatches);
    /// <summary>LR of the last batch of the epoch.</summary>
    public double LearningRate { get; init; }
    public EvalResult? BaseTest { get; init; }
    public EvalResult? MotivatedTest { get; init; }
    public double Seconds { get; init; }
    /// <summary>Batches skipped for a non-finite loss (<see cref="NonFiniteLossPolicy.SkipBatch"/>); not in the batch counts.</summary>
    public int SkippedBatches { get; init; }
}

/// <summary>
/// Counts and timings of a run. Forward counts are training forward passes in samples (batches are counted
/// too); evaluation passes are not counted. FLOPs are per sample, from <see cref="MotivationDsl.VariantInfo.Flops"/> (2 x MACs).
/// </summary>
public sealed class Accounting
{
    public long BaseFlops { get; set; }
    public long MotivatedFlops { get; set; }
    public long BaseBatches { get; set; }
    public long MotivatedBatches { get; set; }
    public long BaseSamples { get; set; }
    public long MotivatedSamples { get; set; }
    /// <summary>Switches base -> motivated.</summary>
    /// <summary>Batches skipped for a non-finite loss (<see cref="NonFiniteLossPolicy.SkipBatch"/>).</summary>
    public long SkippedBatches { get; set; }
    public long SwitchesToMotivated { get; set; }
    /// <summary>Switches motivated -> base, including the forced ones at epoch ends.</summary>
    public long SwitchesToBase { get; set; }
    /// <summary>Switches back forced by an epoch end.</summary>
    public long ForcedSwitchesToBase { get; set; }
    public double SwitchSeconds { get; set; }
    public double TrainBaseSeconds { get; set; }
    public double TrainMotivatedSeconds { get; set; }
    public double EvalSeconds { get; set; }

    /// <summary>Tokens per training sample (a language model's context length); 0 for a non-sequence task.</summary>
    public long TokensPerSample { get; set; }

    /// <summary>F per token (<see cref="MeanForwardFlops"/> / <see cref="TokensPerSample"/>) for a language model; null otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? MeanForwardFlopsPerToken => TokensPerSample > 0 ? MeanForwardFlops / TokensPerSample : null;

    public long Switches => SwitchesToMotivated + SwitchesToBase;

    /// <summary>Motivated share of training batches.</summary>
    public double MotivatedShare => BaseBatches + MotivatedBatches == 0 ? 0 : (double)MotivatedBatches / (BaseBatches + MotivatedBatches);

    /// <summary>
    /// The paper's F: mean forward FLOPs per training forward pass (per sample) =
    /// (base samples x base FLOPs + motivated samples x motivated FLOPs) / all samples.
    /// </summary>
    public double MeanForwardFlops => BaseSamples + MotivatedSamples == 0 ? 0
        : ((double)BaseSamples * BaseFlops + (double)MotivatedSamples * MotivatedFlops) / (BaseSamples + MotivatedSamples);

    /// <summary>Forward FLOPs of all training forward passes.</summary>
    public double TrainingForwardFlops => (double)BaseSamples * BaseFlops + (double)MotivatedSamples * MotivatedFlops;

    /// <summary>Forward + backward training FLOPs, with the convention backward = 2 x forward (so 3 x forward); optimizer steps and switch copies not counted.</summary>
    public double TrainingFlops => 3 * TrainingForwardFlops;

    public Accounting Clone() => (Accounting)MemberwiseClone();
}

/// <summary>Everything a <see cref="MotivationTrainer.Fit"/> produced.</summary>
public sealed record FitReport
{
    public required string Model { get; init; }
    public required string BaseVariant { get; init; }
    public required string MotivatedVariant { get; init; }
    public required string Condition { get; init; }
    public required string Optimizer { get; init; }
    public required IReadOnlyList<EpochMetrics> Epochs { get; init; }
    public required Accounting Accounting { get; init; }
    /// <summary>
    /// Test results of the last epoch. Set by every <see cref="MotivationTrainer.Fit"/> with a test loader; without one
    /// (or before the first epoch) <see cref="EvalResult.NotEvaluated"/>: NaN accuracy, <c>Evaluated</c> false.
    /// </summary>
    public EvalResult FinalBase { get; init => field = value ?? EvalResult.NotEvaluated; } = EvalResult.NotEvaluated;
    /// <inheritdoc cref="FinalBase"/>
    public EvalResult FinalMotivated { get; init => field = value ?? EvalResult.NotEvaluated; } = EvalResult.NotEvaluated;
    public bool StoppedEarly { get; init; }
    [JsonIgnore] public int EpochsCompleted => Epochs.Count;

    private static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The report as indented camelCase JSON (NaN written as "NaN").</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, JsonOptions);

    public static FitReport FromJson(string json) =>
        System.Text.Json.JsonSerializer.Deserialize<FitReport>(json, JsonOptions) ?? throw new FormatException("Empty report JSON.");
}

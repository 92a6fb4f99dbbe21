using System.Text.Json;
using System.Text.Json.Serialization;
using MotivationDsl.Training;

namespace MotivationDsl.Experiments;

/// <summary>One finished (run, seed) job: what the aggregation needs, plus the per-epoch curve.</summary>
public sealed record RunRecord
{
    public required RunKind Kind { get; init; }
    public required long Seed { get; init; }
    public required string Condition { get; init; }
    /// <summary>The model class the job trained; null in records written before it existed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Model { get; init; }
    public required string ConfigHash { get; init; }
    public int Epochs { get; init; }
    /// <summary>Final test accuracy (fraction) of the base; null when the run does not train the base as such (Y-C).</summary>
    public double? BaseAccuracy { get; init; }
    public double? BaseLoss { get; init; }
    /// <summary>Final test accuracy of the motivated/large model; null for X-C.</summary>
    public double? MotivatedAccuracy { get; init; }
    public double? MotivatedLoss { get; init; }
    /// <summary>Held-out bits per byte of the base (language models only), else null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? BaseBitsPerByte { get; init; }
    /// <summary>Held-out bits per byte of the motivated/large model (language models only), else null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? MotivatedBitsPerByte { get; init; }
    /// <summary>F per token (F / context length) for a language model, else null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? MeanForwardFlopsPerToken { get; init; }
    /// <summary>The paper's F: mean forward FLOPs per training forward (per sample; a language model's sample is one window).</summary>
    public double MeanForwardFlops { get; init; }
    public long BaseFlops { get; init; }
    public long MotivatedFlops { get; init; }
    public double MotivatedShare { get; init; }
    public long BaseBatches { get; init; }
    public long MotivatedBatches { get; init; }
    public long Activations { get; init; }
    /// <summary>Wall time of the job, summed over the processes that worked on it (training, switches, evaluation, data).</summary>
    public double WallSeconds { get; init; }
    public double TrainSeconds { get; init; }
    public double EvalSeconds { get; init; }
    /// <summary>Epochs that were restored from a checkpoint (0 = ran in one go).</summary>
    public int ResumedFromEpoch { get; init; }
    /// <summary>Random-ablation rate (the same seed's X-Y share), else null.</summary>
    public double? Rate { get; init; }
    /// <summary>Training FLOPs, forward + backward (<see cref="Accounting.TrainingFlops"/>); null in records written before it existed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? TrainingFlops { get; init; }
    /// <summary>Steps of an equal-compute baseline (X-C=F, Y-C=F), else null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? BudgetSteps { get; init; }
    /// <summary>Training FLOPs of the motivated run an equal-compute baseline matches, else null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? ReferenceTrainingFlops { get; init; }
    public IReadOnlyList<double> TrainLoss { get; init; } = [];
    public IReadOnlyList<double> EpochShare { get; init; } = [];

    public string ToJson() => JsonSerializer.Serialize(this, ExperimentConfig.Json);
    public static RunRecord FromJson(string json) =>
        JsonSerializer.Deserialize<RunRecord>(json, ExperimentConfig.Json) ?? throw new InvalidDataException("Empty run record.");

    /// <summary>Builds a record from a trainer's report and the final evaluations.</summary>
    public static RunRecord From(RunKind kind, long seed, string hash, FitReport r, EvalResult? baseTest, EvalResult? motivatedTest,
        double wallSeconds, double extraEvalSeconds, int resumedFrom, double? rate)
    {
        var a = r.Accounting;
        return new RunRecord
        {
            Kind = kind, Seed = seed, Condition = r.Condition, Model = r.Model, ConfigHash = hash, Epochs = r.EpochsCompleted,
            BaseAccuracy = baseTest?.Accuracy, BaseLoss = baseTest?.Loss,
            MotivatedAccuracy = motivatedTest?.Accuracy, MotivatedLoss = motivatedTest?.Loss,
            BaseBitsPerByte = baseTest?.BitsPerByte, MotivatedBitsPerByte = motivatedTest?.BitsPerByte,
            MeanForwardFlopsPerToken = a.MeanForwardFlopsPerToken,
            MeanForwardFlops = a.MeanForwardFlops, BaseFlops = a.BaseFlops, MotivatedFlops = a.MotivatedFlops,
            MotivatedShare = a.MotivatedShare, BaseBatches = a.BaseBatches, MotivatedBatches = a.MotivatedBatches,
            Activations = a.SwitchesToMotivated, WallSeconds = wallSeconds,
            TrainSeconds = a.TrainBaseSeconds + a.TrainMotivatedSeconds + a.SwitchSeconds,
            EvalSeconds = a.EvalSeconds + extraEvalSeconds, ResumedFromEpoch = resumedFrom, Rate = rate, TrainingFlops = a.TrainingFlops,
            TrainLoss = r.Epochs.Select(e => e.TrainLoss).ToArray(),
            EpochShare = r.Epochs.Select(e => e.MotivatedShare).ToArray(),
        };
    }
}

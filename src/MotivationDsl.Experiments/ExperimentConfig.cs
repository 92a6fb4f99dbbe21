using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MotivationDsl.Training;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using MotivationDsl.Training.Schedules;

namespace MotivationDsl.Experiments;

/// <summary>
/// The runs of the protocol. One run of <see cref="Motivated"/> yields two table rows (X-Y-B and X-Y-M), one of
/// <see cref="MotivatedFunctionPreserving"/> two more (X-F-B and X-F-M). Records store the names, not the numbers.
/// </summary>
public enum RunKind
{
    /// <summary>X-C: the base trained alone (condition <see cref="Never"/>).</summary>
    ClassicalBase,
    /// <summary>X-Y: the motivated pair, <see cref="ConsecutiveDecrease"/>(k).</summary>
    Motivated,
    /// <summary>
    /// X-F: the motivated pair of <see cref="ExperimentConfig.GrowthModel"/> (the same architecture declared with the
    /// function-preserving growth rule), <see cref="ConsecutiveDecrease"/>(k), same seed, data order and budget as X-Y.
    /// </summary>
    MotivatedFunctionPreserving,
    /// <summary>Y-C: the large model trained alone (condition <see cref="Always"/>).</summary>
    ClassicalLarge,
    /// <summary>Ablation X-R: <see cref="RandomSchedule"/> at the motivated share measured by the same seed's X-Y run.</summary>
    RandomAblation,
    /// <summary>Ablation X-E: <see cref="EmaOfLoss"/>(0.02, 0.002) as the trigger.</summary>
    EmaAblation,
    /// <summary>
    /// X-C=F: the base trained classically for the number of steps whose training FLOPs (forward + backward) are
    /// closest to those of the same seed's reference motivated run (<see cref="ExperimentConfig.EqualFlopsReference"/>);
    /// the schedule is the configured one, stretched over those steps.
    /// </summary>
    ClassicalBaseEqualFlops,
    /// <summary>Y-C=F: the large model trained classically at the reference motivated run's training FLOPs (fewer steps).</summary>
    ClassicalLargeEqualFlops,
    /// <summary>
    /// Growth ablation X-FR: <see cref="ExperimentConfig.FirstRandomModel"/> (first-l placement, the paper's random
    /// extra blocks), <see cref="ConsecutiveDecrease"/>(k), same seed and budget as X-Y.
    /// </summary>
    AblationFirstRandom,
    /// <summary>Growth ablation X-LI: <see cref="ExperimentConfig.LastIdentityModel"/> (last-to-last placement, identity extra blocks).</summary>
    AblationLastIdentity,
    /// <summary>
    /// X-L: the learned trigger (<see cref="Training.Conditions.LearnedTrigger"/>, seeded by the seed) on the reference
    /// pair (the growth model when set, else the model), same seed and budget as the reference run.
    /// </summary>
    LearnedTrigger,
    /// <summary>X-LR: <see cref="RandomSchedule"/> at the share the same seed's X-L run measured, on the same pair.</summary>
    LearnedTriggerRandom,
}

/// <summary>
/// Everything that determines a run's result. <see cref="Hash"/> covers all of it except <see cref="Name"/>,
/// <see cref="Seeds"/>, <see cref="Ablations"/>, <see cref="EqualFlops"/> and the growth-ablation models: those choose WHICH (run, seed) jobs exist, not what any job
/// computes, so seeds or ablations can be added to a finished experiment and only the new jobs run.
/// <see cref="GrowthModel"/> is hashed when set (it names the model an X-F job trains).
/// </summary>
public sealed record ExperimentConfig
{
    public required string Name { get; init; }
    /// <summary>The definition's name (checked against the definition the runner gets).</summary>
    public required string Model { get; init; }
    public required string BaseVariant { get; init; }
    public required string MotivatedVariant { get; init; }
    /// <summary>
    /// The model's task (checked against the definition): a language model trains on text windows and its rows compare
    /// held-out bits per byte (<see cref="Metric"/>). Not written for classification, so older configurations keep their hash.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ModelTask Task { get; init; }
    /// <summary>What the rows compare: test accuracy, or held-out bits per byte for a language model.</summary>
    [JsonIgnore]
    public ExperimentMetric Metric => ExperimentMetrics.For(Task);
    /// <summary>Description of the data (source folder, subset rule); part of the hash.</summary>
    public required string Data { get; init; }
    /// <summary>Training images used (null = all); the first TrainLimit/classes of every class in file order. For text: training windows per epoch.</summary>
    public int? TrainLimit { get; init; }
    /// <summary>Test images used (null = all); balanced like <see cref="TrainLimit"/>. For text: the first held-out windows.</summary>
    public int? TestLimit { get; init; }
    public int Epochs { get; init; } = 10;
    public IReadOnlyList<long> Seeds { get; init; } = [1, 2, 3];
    public int BatchSize { get; init; } = 128;
    /// <summary>sgd (momentum, weight decay as L2, as torch.optim.SGD), adamw or rmsprop (see <see cref="TrainingRecipe"/>).</summary>
    public string Optimizer { get; init; } = "sgd";
    public double LearningRate { get; init; } = 0.1;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 5e-4;
    /// <summary>cosine (to 0 over <see cref="Epochs"/>), step, exponential or constant (see <see cref="TrainingRecipe"/>).</summary>
    public string Schedule { get; init; } = "cosine";
    public int WarmupEpochs { get; init; }
    /// <summary>Clip the active model's gradient to this global L2 norm before every step (language models usually use 1); null: no clipping. Hashed only when set.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? MaxGradientNorm { get; init; }
    /// <summary>k of the paper's trigger (<see cref="ConsecutiveDecrease"/>).</summary>
    public int K { get; init; } = 2;
    /// <summary>Random-crop padding (0 = none) for training batches.</summary>
    public int CropPadding { get; init; }
    public bool HorizontalFlip { get; init; }
    /// <summary>Also run the ablations (random activations at the measured share; EMA of the loss).</summary>
    public bool Ablations { get; init; }
    /// <summary>torch.set_num_threads for the runs (exact resume needs the same count).</summary>
    public int Threads { get; init; } = 1;
    /// <summary>Evaluate on the test set after every epoch (slower) instead of only at the end.</summary>
    public bool EvalEveryEpoch { get; init; }
    /// <summary>
    /// Name of a second definition: the same architecture and variants as <see cref="Model"/>, declared with the
    /// function-preserving growth rule. When set, every seed also runs <see cref="RunKind.MotivatedFunctionPreserving"/>.
    /// Hashed only when set, so configurations without it keep the hash they had before it existed.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? GrowthModel { get; init; }

    /// <summary>
    /// Also run the equal-compute baselines X-C=F and Y-C=F (<see cref="RunKind.ClassicalBaseEqualFlops"/>,
    /// <see cref="RunKind.ClassicalLargeEqualFlops"/>). Not hashed (it only adds jobs), like <see cref="Ablations"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool EqualFlops { get; init; }

    /// <summary>
    /// The growth ablation's first-l + random cell: a definition of the same architecture declared with the paper's rule
    /// and <c>DepthMap.FirstL</c>. Adds the X-FR job; not hashed (it only adds jobs; its records name the model and a
    /// finished record of another model is refused).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FirstRandomModel { get; init; }

    /// <summary>The last-to-last + identity cell: declared with <c>Growth.FunctionPreserving</c> and <c>DepthMap.LastToLast</c>. Adds X-LI; not hashed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LastIdentityModel { get; init; }

    /// <summary>Also run the learned trigger X-L and random activations at its share X-LR. Not hashed (it only adds jobs).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool LearnedTrigger { get; init; }

    /// <summary>The motivated run whose training FLOPs the equal-compute baselines match: X-F when there is a growth model, else X-Y.</summary>
    [JsonIgnore]
    public RunKind EqualFlopsReference => GrowthModel is null ? RunKind.Motivated : RunKind.MotivatedFunctionPreserving;

    public IEnumerable<RunKind> Kinds()
    {
        yield return RunKind.ClassicalBase;
        yield return RunKind.Motivated;
        if (GrowthModel is not null) yield return RunKind.MotivatedFunctionPreserving;
        if (FirstRandomModel is not null) yield return RunKind.AblationFirstRandom;
        if (LastIdentityModel is not null) yield return RunKind.AblationLastIdentity;
        yield return RunKind.ClassicalLarge;
        if (EqualFlops)
        {
            yield return RunKind.ClassicalBaseEqualFlops;
            yield return RunKind.ClassicalLargeEqualFlops;
        }
        if (LearnedTrigger)
        {
            yield return RunKind.LearnedTrigger;
            yield return RunKind.LearnedTriggerRandom;
        }
        if (Ablations)
        {
            yield return RunKind.RandomAblation;
            yield return RunKind.EmaAblation;
        }
    }

    /// <summary>The optimizer and schedule, through the shared <see cref="TrainingRecipe"/> (same names and checks as the CLI).</summary>
    public TrainingRecipe Recipe() => new TrainingRecipe
    {
        Optimizer = Optimizer.ToLowerInvariant(), LearningRate = LearningRate, Momentum = Momentum, WeightDecay = WeightDecay,
        Schedule = Schedule.ToLowerInvariant(), Epochs = Epochs, WarmupEpochs = WarmupEpochs,
    }.Validate(s => JsonNamingPolicy.CamelCase.ConvertName(s.ToString()));

    public OptimizerOptions CreateOptimizer() => Recipe().CreateOptimizer();

    public ILearningRateSchedule CreateSchedule() => Recipe().CreateSchedule();

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The hashed part, as canonical JSON.</summary>
    public string HashedJson() => JsonSerializer.Serialize(this with { Name = "", Seeds = [], Ablations = false, EqualFlops = false, FirstRandomModel = null, LastIdentityModel = null, LearnedTrigger = false }, Json);

    /// <summary>SHA-256 (hex, first 16 bytes) of <see cref="HashedJson"/>.</summary>
    public string Hash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(HashedJson())))[..32];

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ExperimentConfig FromJson(string json) =>
        JsonSerializer.Deserialize<ExperimentConfig>(json, Json) ?? throw new InvalidDataException("Empty experiment config.");
}

/// <summary>Thrown when a work folder holds an experiment with another configuration.</summary>
public sealed class ConfigMismatchException(string message) : Exception(message);

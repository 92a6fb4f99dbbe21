using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using MotivationDsl.Training;
using MotivationDsl.Training.Distributed;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using MotivationDsl.Training.Schedules;

namespace MotivationDsl.Cli;

/// <summary>
/// Everything <c>train</c> needs to (re)build a run. Saved as <c>settings.json</c> in the run folder, so
/// <c>train --resume</c>, <c>eval</c> and <c>export</c> rebuild the same trainer.
/// </summary>
public sealed record TrainSettings
{
    public const string FileName = "settings.json";

    public string Model { get; init; } = "";
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 128;
    public int K { get; init; } = 2;
    public string Condition { get; init; } = "consecutive";
    public double Rate { get; init; } = 0.17;
    public string Optimizer { get; init; } = "sgd";
    /// <summary>Null: the optimizer's default (sgd 0.1, adamw 0.001, rmsprop 0.01).</summary>
    public double? Lr { get; init; }
    public double Momentum { get; init; } = 0.9;
    /// <summary>Null: the optimizer's default (sgd 5e-4, adamw 0.05, rmsprop 1e-5).</summary>
    public double? WeightDecay { get; init; }
    public string Schedule { get; init; } = "cosine";
    public int Warmup { get; init; }
    public long Seed { get; init; } = 42;
    public int? Threads { get; init; }
    public string Device { get; init; } = "cpu";
    /// <summary>Null: Fashion-MNIST (Debian folder, else the embedded sample); "sample": the embedded sample; else a folder.</summary>
    public string? Data { get; init; }
    public int? TrainLimit { get; init; }
    public int? TestLimit { get; init; }
    public bool Augment { get; init; }
    public int Keep { get; init; } = 3;

    public static readonly string[] Conditions = ["consecutive", "ema", "gradnorm", "random", "never", "always"];
    public static readonly string[] Optimizers = ["sgd", "adamw", "rmsprop"];
    public static readonly string[] Schedules = ["cosine", "step", "exponential", "constant"];

    public double EffectiveLr => Lr ?? Optimizer switch { "adamw" => 1e-3, "rmsprop" => 0.01, _ => 0.1 };
    public double EffectiveWeightDecay => WeightDecay ?? Optimizer switch { "adamw" => 0.05, "rmsprop" => 1e-5, _ => 5e-4 };

    /// <summary>Checks the values; throws <see cref="CliException"/> with one clear line.</summary>
    public TrainSettings Validate()
    {
        if (!Conditions.Contains(Condition))
            throw new CliException($"Unknown condition '{Condition}'. Choose one of: {string.Join(", ", Conditions)}.");
        if (!Optimizers.Contains(Optimizer))
            throw new CliException($"Unknown optimizer '{Optimizer}'. Choose one of: {string.Join(", ", Optimizers)}.");
        if (!Schedules.Contains(Schedule))
            throw new CliException($"Unknown schedule '{Schedule}'. Choose one of: {string.Join(", ", Schedules)}.");
        if (Epochs < 1) throw new CliException($"--epochs must be at least 1 (got {Epochs}).");
        if (BatchSize < 1) throw new CliException($"--batch-size must be at least 1 (got {BatchSize}).");
        if (K < 1) throw new CliException($"--k must be at least 1 (got {K}).");
        if (Rate is < 0 or > 1) throw new CliException($"--rate must be between 0 and 1 (got {Rate.ToString(CultureInfo.InvariantCulture)}).");
        if (Warmup < 0 || Warmup >= Epochs && Warmup > 0) throw new CliException($"--warmup must be between 0 and --epochs - 1 (got {Warmup}).");
        if (Threads is < 1) throw new CliException($"--threads must be at least 1 (got {Threads}).");
        if (TrainLimit is < 1) throw new CliException($"--train-limit must be at least 1 (got {TrainLimit}).");
        if (TestLimit is < 1) throw new CliException($"--test-limit must be at least 1 (got {TestLimit}).");
        if (Keep < 1) throw new CliException($"--keep must be at least 1 (got {Keep}).");
        return this;
    }

    public IMotivationCondition CreateCondition() => Condition switch
    {
        "consecutive" => new ConsecutiveDecrease(K),
        "ema" => new EmaOfLoss(),
        "gradnorm" => new GradientNormRising(K),
        "random" => new RandomSchedule(Rate, unchecked((ulong)Seed)),
        "never" => new Never(),
        "always" => new Always(),
        _ => throw new CliException($"Unknown condition '{Condition}'. Choose one of: {string.Join(", ", Conditions)}."),
    };

    public OptimizerOptions CreateOptimizer() => Optimizer switch
    {
        "sgd" => new SgdOptions(EffectiveLr, Momentum: Momentum, WeightDecay: EffectiveWeightDecay),
        "adamw" => new AdamOptions(EffectiveLr, WeightDecay: EffectiveWeightDecay, Decoupled: true),
        "rmsprop" => new RmsPropOptions(EffectiveLr, Momentum: Momentum, WeightDecay: EffectiveWeightDecay),
        _ => throw new CliException($"Unknown optimizer '{Optimizer}'. Choose one of: {string.Join(", ", Optimizers)}."),
    };

    /// <summary>The schedule over <see cref="Epochs"/> (cosine to 0; step: x0.1 every third of the run; exponential: x0.97 per epoch).</summary>
    public ILearningRateSchedule CreateSchedule() => Schedule switch
    {
        "cosine" => new CosineLr(EffectiveLr, Epochs, Warmup),
        "step" => new StepLr(EffectiveLr, Math.Max(1, Epochs / 3), 0.1, Warmup),
        "exponential" => new ExponentialLr(EffectiveLr, 0.97, 1, Warmup),
        "constant" => new ConstantLr(EffectiveLr, Warmup),
        _ => throw new CliException($"Unknown schedule '{Schedule}'. Choose one of: {string.Join(", ", Schedules)}."),
    };

    public TrainerOptions CreateTrainerOptions(IReadOnlyList<TrainerCallback> callbacks, ICommunicator? world = null) => new()
    {
        Optimizer = CreateOptimizer(),
        Schedule = CreateSchedule(),
        Condition = CreateCondition(),
        Callbacks = callbacks,
        Seed = Seed,
        Communicator = world,
    };

    /// <summary>Human-readable condition, e.g. "consecutive k=2".</summary>
    public string ConditionLabel => Condition switch
    {
        "consecutive" or "gradnorm" => $"{Condition} k={K}",
        "random" => $"random rate={Rate.ToString(CultureInfo.InvariantCulture)}",
        _ => Condition,
    };

    /// <summary>The settings as the free-form config of report.json.</summary>
    public IReadOnlyDictionary<string, string> ToConfig() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["epochs"] = Epochs.ToString(CultureInfo.InvariantCulture),
        ["batchSize"] = BatchSize.ToString(CultureInfo.InvariantCulture),
        ["condition"] = ConditionLabel,
        ["optimizer"] = Optimizer,
        ["lr"] = EffectiveLr.ToString("R", CultureInfo.InvariantCulture),
        ["momentum"] = Momentum.ToString("R", CultureInfo.InvariantCulture),
        ["weightDecay"] = EffectiveWeightDecay.ToString("R", CultureInfo.InvariantCulture),
        ["schedule"] = Schedule,
        ["warmupEpochs"] = Warmup.ToString(CultureInfo.InvariantCulture),
        ["device"] = Device,
        ["threads"] = Threads?.ToString(CultureInfo.InvariantCulture) ?? "default",
        ["trainLimit"] = TrainLimit?.ToString(CultureInfo.InvariantCulture) ?? "all",
        ["testLimit"] = TestLimit?.ToString(CultureInfo.InvariantCulture) ?? "all",
        ["augment"] = Augment ? "crop 2 + flip" : "none",
    };

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Save(string runFolder) => Reporting.AtomicFile.WriteAllText(Path.Combine(runFolder, FileName), ToJson() + "\n");

    /// <summary>The settings saved in <paramref name="runFolder"/>, or null when there are none.</summary>
    public static TrainSettings? Load(string runFolder)
    {
        var path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<TrainSettings>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new CliException($"{path}: not valid run settings ({e.Message})."); }
    }
}

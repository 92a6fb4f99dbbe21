using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using MotivationDsl.Training;
using MotivationDsl.Training.Distributed;
using MotivationDsl.Training.Conditions;

namespace MotivationDsl.Cli;

/// <summary>
/// Everything <c>train</c> needs to (re)build a run. Saved as <c>settings.json</c> in the run folder, so
/// <c>train --resume</c>, <c>eval</c> and <c>export</c> rebuild the same trainer.
/// </summary>
public sealed record TrainSettings
{
    public const string FileName = "settings.json";

    public string Model { get; init; } = "";
    /// <summary>
    /// The growth rule of the pair, one of <see cref="GrowthRules"/>: "declared" (the <c>[ScalableModel]</c> pair as
    /// declared), "paper" or "function-preserving" (that pair under this rule: as declared, or a
    /// <c>[Pair(base, motivated, Growth = ...)]</c> of the model). Runs saved before it existed read "declared".
    /// </summary>
    public string Growth { get; init; } = "declared";
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 128;
    public int K { get; init; } = 2;
    public string Condition { get; init; } = "consecutive";
    public double Rate { get; init; } = 0.17;
    /// <summary>What an epoch end does to the streak of consecutive/gradnorm: one of <see cref="EpochBoundaries"/>.</summary>
    public string EpochBoundary { get; init; } = "reset-counter";
    /// <summary>Whether consecutive counts the run's first batch as a loss decrease: one of <see cref="FirstBatchRules"/>.</summary>
    public string FirstBatch { get; init; } = "not-a-decrease";
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
    /// <summary>"stop" (default): a NaN/infinite training loss ends the run with an error; "skip": such batches are skipped.</summary>
    public string NonFiniteLoss { get; init; } = "stop";
    /// <summary>The memory format both models train in: "nchw" or "channels-last" (<c>--memory-format auto</c> is saved resolved, so a later change of the defaults table never changes a run).</summary>
    public string MemoryFormat { get; init; } = "nchw";
    /// <summary>"system" (default): the C library's defaults; "retain": the C heap keeps freed tensor memory for the next step (<see cref="NativeHeapPolicy"/>). May change on resume.</summary>
    public string NativeHeap { get; init; } = "system";

    public static readonly string[] Conditions = ["consecutive", "ema", "gradnorm", "random", "never", "always"];
    public static readonly string[] EpochBoundaries = ["reset-counter", "carry", "reset-all"];
    public static readonly string[] FirstBatchRules = ["not-a-decrease", "decrease"];
    public static readonly string[] NonFiniteLossChoices = ["stop", "skip"];
    public static readonly string[] MemoryFormats = ["nchw", "channels-last"];
    public const string AutoMemoryFormat = "auto";
    public static readonly string[] NativeHeapChoices = ["system", "retain"];

    /// <summary>
    /// The saved value of <c>--memory-format</c>: "auto" resolves to the default of <paramref name="definition"/>'s family on
    /// <paramref name="cpu"/> (<see cref="MemoryFormatDefaults"/>), anything else is kept (and checked by <see cref="Validate"/>).
    /// </summary>
    public static string ResolveMemoryFormat(string given, ScalableModelDefinition definition, CpuClass cpu) =>
        given != AutoMemoryFormat ? given
        : MemoryFormatDefaults.RowFor(definition, cpu).Format == global::MotivationDsl.MemoryFormat.ChannelsLast ? "channels-last" : "nchw";
    public static readonly string[] GrowthRules = ["declared", "paper", "function-preserving"];

    /// <summary>The optimizer and schedule part, built and validated by the shared <see cref="TrainingRecipe"/>.</summary>
    [JsonIgnore]
    public TrainingRecipe Recipe => new()
    {
        Optimizer = Optimizer, LearningRate = Lr, Momentum = Momentum, WeightDecay = WeightDecay,
        Schedule = Schedule, Epochs = Epochs, WarmupEpochs = Warmup,
    };

    public double EffectiveLr => Recipe.EffectiveLearningRate;
    public double EffectiveWeightDecay => Recipe.EffectiveWeightDecay;

    /// <summary>The CLI option of each recipe setting.</summary>
    public static string OptionName(RecipeSetting setting) => setting switch
    {
        RecipeSetting.Optimizer => "--optimizer",
        RecipeSetting.LearningRate => "--lr",
        RecipeSetting.Momentum => "--momentum",
        RecipeSetting.WeightDecay => "--weight-decay",
        RecipeSetting.Schedule => "--schedule",
        RecipeSetting.Epochs => "--epochs",
        _ => "--warmup",
    };

    /// <summary>Checks the values; throws <see cref="CliException"/> with one clear line naming the option.</summary>
    public TrainSettings Validate()
    {
        if (!Conditions.Contains(Condition))
            throw new CliException($"Unknown condition '{Condition}'. Choose one of: {string.Join(", ", Conditions)}.");
        try { Recipe.Validate(OptionName); }
        catch (RecipeException e) { throw new CliException(e.Message); }
        if (!EpochBoundaries.Contains(EpochBoundary))
            throw new CliException($"Unknown --epoch-boundary '{EpochBoundary}'. Choose one of: {string.Join(", ", EpochBoundaries)}.");
        if (!FirstBatchRules.Contains(FirstBatch))
            throw new CliException($"Unknown --first-batch '{FirstBatch}'. Choose one of: {string.Join(", ", FirstBatchRules)}.");
        if (EpochBoundary != EpochBoundaries[0] && Condition is not ("consecutive" or "gradnorm"))
            throw new CliException($"--epoch-boundary applies to --condition consecutive and gradnorm, not '{Condition}'.");
        if (FirstBatch != FirstBatchRules[0] && Condition != "consecutive")
            throw new CliException($"--first-batch applies to --condition consecutive, not '{Condition}'.");
        if (BatchSize < 1) throw new CliException($"--batch-size must be at least 1 (got {BatchSize}).");
        if (K < 1) throw new CliException($"--k must be at least 1 (got {K}).");
        if (!(Rate >= 0 && Rate <= 1)) throw new CliException($"--rate must be between 0 and 1 (got {Rate.ToString(CultureInfo.InvariantCulture)}).");
        if (Threads is < 1) throw new CliException($"--threads must be at least 1 (got {Threads}).");
        if (TrainLimit is < 1) throw new CliException($"--train-limit must be at least 1 (got {TrainLimit}).");
        if (TestLimit is < 1) throw new CliException($"--test-limit must be at least 1 (got {TestLimit}).");
        if (Keep < 1) throw new CliException($"--keep must be at least 1 (got {Keep}).");
        if (!GrowthRules.Contains(Growth))
            throw new CliException($"Unknown --growth '{Growth}'. Choose one of: {string.Join(", ", GrowthRules)}.");
        if (!NonFiniteLossChoices.Contains(NonFiniteLoss))
            throw new CliException($"Unknown --non-finite-loss '{NonFiniteLoss}'. Choose one of: {string.Join(", ", NonFiniteLossChoices)}.");
        if (!MemoryFormats.Contains(MemoryFormat))
            throw new CliException($"Unknown --memory-format '{MemoryFormat}'. Choose one of: {string.Join(", ", MemoryFormats)}, {AutoMemoryFormat}.");
        if (!NativeHeapChoices.Contains(NativeHeap))
            throw new CliException($"Unknown --native-heap '{NativeHeap}'. Choose one of: {string.Join(", ", NativeHeapChoices)}.");
        return this;
    }

    /// <summary>
    /// <paramref name="definition"/>'s pair under <see cref="Growth"/> (<see cref="ScalableModelDefinition.WithPair(string, string, MotivationDsl.Growth)"/>);
    /// a model that does not declare its pair under that rule is a <see cref="CliException"/> naming its declared pairs.
    /// </summary>
    public ScalableModelDefinition PairOf(ScalableModelDefinition definition)
    {
        var rule = Growth switch
        {
            "declared" => MotivationDsl.Growth.Default,
            "paper" => MotivationDsl.Growth.Paper,
            "function-preserving" => MotivationDsl.Growth.FunctionPreserving,
            _ => throw new CliException($"Unknown --growth '{Growth}'. Choose one of: {string.Join(", ", GrowthRules)}."),
        };
        if (rule == MotivationDsl.Growth.Default) return definition;
        try { return definition.WithPair(definition.BaseVariant, definition.MotivatedVariant, rule); }
        catch (ArgumentException e) { throw new CliException($"--growth {Growth}: {e.Message.Split(" (Parameter")[0]}"); }
    }

    public IMotivationCondition CreateCondition() => Condition switch
    {
        "consecutive" => new ConsecutiveDecrease(K, Boundary, FirstBatch == "decrease" ? Training.Conditions.FirstBatch.Decrease : Training.Conditions.FirstBatch.NotADecrease),
        "ema" => new EmaOfLoss(),
        "gradnorm" => new GradientNormRising(K, Boundary),
        "random" => new RandomSchedule(Rate, unchecked((ulong)Seed)),
        "never" => new Never(),
        "always" => new Always(),
        _ => throw new CliException($"Unknown condition '{Condition}'. Choose one of: {string.Join(", ", Conditions)}."),
    };

    private EpochBoundary Boundary => EpochBoundary switch
    {
        "carry" => Training.Conditions.EpochBoundary.Carry,
        "reset-all" => Training.Conditions.EpochBoundary.ResetAll,
        _ => Training.Conditions.EpochBoundary.ResetCounter,
    };

    public TrainerOptions CreateTrainerOptions(IReadOnlyList<TrainerCallback> callbacks, ICommunicator? world = null) => new()
    {
        Optimizer = Recipe.CreateOptimizer(),
        Schedule = Recipe.CreateSchedule(),
        Condition = CreateCondition(),
        Callbacks = callbacks,
        Seed = Seed,
        NonFiniteLoss = NonFiniteLoss == "skip" ? NonFiniteLossPolicy.SkipBatch : NonFiniteLossPolicy.Stop,
        Communicator = world,
        MemoryFormat = MemoryFormat == "channels-last" ? global::MotivationDsl.MemoryFormat.ChannelsLast : global::MotivationDsl.MemoryFormat.Contiguous,
        NativeHeap = NativeHeap == "retain" ? NativeHeapPolicy.Retain : NativeHeapPolicy.System,
    };

    /// <summary>Human-readable condition, e.g. "consecutive k=2".</summary>
    public string ConditionLabel => Condition switch
    {
        "consecutive" or "gradnorm" => $"{Condition} k={K}"
            + (EpochBoundary == EpochBoundaries[0] ? "" : $" epoch-boundary={EpochBoundary}")
            + (FirstBatch == FirstBatchRules[0] ? "" : $" first-batch={FirstBatch}"),
        "random" => $"random rate={Rate.ToString(CultureInfo.InvariantCulture)}",
        _ => Condition,
    };

    /// <summary>The settings as the free-form config of report.json.</summary>
    public IReadOnlyDictionary<string, string> ToConfig() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["epochs"] = Epochs.ToString(CultureInfo.InvariantCulture),
        ["batchSize"] = BatchSize.ToString(CultureInfo.InvariantCulture),
        ["condition"] = ConditionLabel,
        ["growth"] = Growth,
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
        ["memoryFormat"] = MemoryFormat,
        ["nativeHeap"] = NativeHeap,
    };

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Save(string runFolder) => AtomicFile.WriteAllText(Path.Combine(runFolder, FileName), ToJson() + "\n");

    /// <summary>The settings saved in <paramref name="runFolder"/>, or null when there are none.</summary>
    public static TrainSettings? Load(string runFolder)
    {
        var path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path)) return null;
        try { return FromJson(File.ReadAllText(path), path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new CliException($"Cannot read '{path}': {e.Message}"); }
    }

    public static TrainSettings FromJson(string json, string source)
    {
        try { return JsonSerializer.Deserialize<TrainSettings>(json, Json) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new CliException($"{source}: not valid run settings ({e.Message})."); }
    }
}

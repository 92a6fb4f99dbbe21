using System.Diagnostics;
using System.Text.Json.Nodes;
using MotivationDsl.Data;
using MotivationDsl.Reporting;
using MotivationDsl.Training;
using MotivationDsl.Training.Conditions;
using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Experiments;

/// <summary>
/// Runs the paper's protocol for one pair over seeds: X-C, X-Y (rows X-Y-B and X-Y-M), Y-C and optionally the
/// ablations; with a growth definition (<see cref="ExperimentConfig.GrowthModel"/>) also X-F (rows X-F-B and X-F-M),
/// the same pair declared with the function-preserving growth rule. Every finished (run, seed) job is saved atomically
/// under <c>{WorkDir}/runs/</c> and skipped next time; an interrupted job resumes from its last epoch checkpoint under
/// <c>{WorkDir}/ckpt/</c>. The work folder remembers the configuration hash and refuses another configuration
/// (<see cref="ConfigMismatchException"/>).
/// </summary>
public sealed partial class ExperimentRunner
{
    /// <param name="definition">The model of <see cref="ExperimentConfig.Model"/> (X-C, X-Y, Y-C, ablations).</param>
    /// <param name="growthDefinition">
    /// The model of <see cref="ExperimentConfig.GrowthModel"/> (X-F): required exactly when the configuration names one,
    /// and checked (<see cref="CheckSameArchitecture"/>) before anything runs or is written.
    /// </param>
    public ExperimentRunner(ScalableModelDefinition definition, ExperimentConfig config, ExperimentData data, string workDir, TextWriter? log = null,
        ScalableModelDefinition? growthDefinition = null, IReadOnlyList<ScalableModelDefinition>? ablationDefinitions = null)
    {
        Definition = definition ?? throw new ArgumentNullException(nameof(definition));
        Config = config ?? throw new ArgumentNullException(nameof(config));
        Data = data ?? throw new ArgumentNullException(nameof(data));
        WorkDir = workDir;
        Log = log ?? TextWriter.Null;
        if (config.Model != definition.Name || config.BaseVariant != definition.BaseVariant || config.MotivatedVariant != definition.MotivatedVariant)
            throw new ArgumentException($"The configuration is for {config.Model} ({config.BaseVariant} -> {config.MotivatedVariant}) but the definition is {definition}.");
        if (config.Task != definition.ModelTask)
            throw new ArgumentException($"The configuration's task is {config.Task} but {definition.Name} is a {definition.ModelTask} model.");
        if ((definition.ModelTask == ModelTask.LanguageModel) != (data is TextExperimentData))
            throw new ArgumentException($"{definition.Name} is a {definition.ModelTask} model but the data is {data.GetType().Name}: a language model trains on TextExperimentData, a classifier on ImageExperimentData.");
        if (config.GrowthModel is null && growthDefinition is not null)
            throw new ArgumentException($"A growth definition ({growthDefinition.Name}) was given but the configuration has no GrowthModel.");
        if (config.GrowthModel is not null)
        {
            GrowthDefinition = growthDefinition ?? throw new ArgumentException(
                $"The configuration names the growth model {config.GrowthModel} but no growth definition was given.");
            if (config.GrowthModel != growthDefinition.Name)
                throw new ArgumentException($"The configuration's growth model is {config.GrowthModel} but the growth definition is {growthDefinition.Name}.");
            CheckSameArchitecture(definition, growthDefinition, config);
        }
        var cells = ablationDefinitions ?? [];
        FirstRandomDefinition = CheckAblationModel(definition, config, config.FirstRandomModel, cells, identity: false, "first-l");
        LastIdentityDefinition = CheckAblationModel(definition, config, config.LastIdentityModel, cells, identity: true, "last-to-last");
    }

    public ScalableModelDefinition Definition { get; }
    /// <summary>The function-preserving twin of <see cref="Definition"/> (X-F), or null.</summary>
    public ScalableModelDefinition? GrowthDefinition { get; }
    public ExperimentConfig Config { get; }
    public ExperimentData Data { get; }
    public string WorkDir { get; }
    public TextWriter Log { get; }
    public string ConfigHash => Config.Hash();

    /// <summary>Extra callbacks per job (tests use this to interrupt a job).</summary>
    internal Func<RunKind, long, IEnumerable<TrainerCallback>>? ExtraCallbacks { get; set; }

    /// <summary>Called after every finished job with the records so far (the CLI rewrites the results here).</summary>
    public Action<IReadOnlyList<RunRecord>>? JobFinished { get; set; }

    /// <summary>Lock file of a running job (<see cref="JobLock"/>): several processes can share a work folder.</summary>
    public string LockPath(RunKind kind, long seed) => Path.Combine(WorkDir, "runs", $"{JobName(kind, seed)}.lock");

    /// <summary>The job whose record a job needs (the random ablation: X-Y; the equal-compute baselines: their reference), else null.</summary>
    public RunKind? Prerequisite(RunKind kind) => kind switch
    {
        RunKind.RandomAblation => RunKind.Motivated,
        RunKind.LearnedTriggerRandom => RunKind.LearnedTrigger,
        RunKind.ClassicalBaseEqualFlops or RunKind.ClassicalLargeEqualFlops => Config.EqualFlopsReference,
        _ => null,
    };

    public string RecordPath(RunKind kind, long seed) => Path.Combine(WorkDir, "runs", $"{JobName(kind, seed)}.json");
    public string ReportPath(RunKind kind, long seed) => Path.Combine(WorkDir, "runs", $"{JobName(kind, seed)}.report.json");
    public string CheckpointDir(RunKind kind, long seed) => Path.Combine(WorkDir, "ckpt", JobName(kind, seed));
    public static string JobName(RunKind kind, long seed) => $"{KindSlug(kind)}-seed{seed}";

    public static string KindSlug(RunKind kind) => kind switch
    {
        RunKind.ClassicalBase => "x-c",
        RunKind.Motivated => "x-y",
        RunKind.MotivatedFunctionPreserving => "x-f",
        RunKind.ClassicalLarge => "y-c",
        RunKind.RandomAblation => "x-r",
        RunKind.EmaAblation => "x-e",
        RunKind.ClassicalBaseEqualFlops => "x-c-eq",
        RunKind.ClassicalLargeEqualFlops => "y-c-eq",
        RunKind.AblationFirstRandom => "x-fr",
        RunKind.AblationLastIdentity => "x-li",
        RunKind.LearnedTrigger => "x-l",
        RunKind.LearnedTriggerRandom => "x-lr",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming both models unless <paramref name="growth"/> is the same
    /// architecture as <paramref name="definition"/>: the configuration's base and motivated variants in both, each with
    /// equal parameter counts and FLOPs. Only the growth rule (the weights map's initialisation) may differ.
    /// </summary>
    public static void CheckSameArchitecture(ScalableModelDefinition definition, ScalableModelDefinition growth, ExperimentConfig config)
    {
        var pre = $"The function-preserving run needs {growth.Name} to be the same architecture as {definition.Name}, but";
        if (growth.BaseVariant != config.BaseVariant || growth.MotivatedVariant != config.MotivatedVariant)
            throw new ArgumentException($"{pre} {growth.Name} pairs {growth.BaseVariant} -> {growth.MotivatedVariant} and the configuration {config.BaseVariant} -> {config.MotivatedVariant}.");
        var differences = new List<string>();
        foreach (var variant in new[] { config.BaseVariant, config.MotivatedVariant })
        {
            var a = definition.GetVariant(variant);
            var b = growth.Variants.FirstOrDefault(v => v.Name == variant);
            if (b is null) differences.Add($"{growth.Name} has no variant {variant}");
            else if (a.ParameterCount != b.ParameterCount || a.Flops != b.Flops)
                differences.Add($"variant {variant} has {a.ParameterCount:N0} parameters and {a.Flops:N0} FLOPs in {definition.Name} " +
                                $"but {b.ParameterCount:N0} parameters and {b.Flops:N0} FLOPs in {growth.Name}");
        }
        if (differences.Count > 0)
            throw new ArgumentException($"{pre} {string.Join("; ", differences)}. Declare both with the same variants and layers; only the growth rule may differ.");
        // The rows are labelled by rule (X-Y: the paper's map, X-F: function-preserving): the declarations must say so.
        if (!growth.Map.PreservesFunction)
            throw new ArgumentException($"The function-preserving run needs {growth.Name} to be declared with Growth = Growth.FunctionPreserving, but its map {growth.BaseVariant} -> {growth.MotivatedVariant} uses the paper's rule.");
        if (definition.Map.PreservesFunction)
            throw new ArgumentException($"{definition.Name} is declared with function-preserving growth, so its X-Y rows would not be the paper's rule; pass the paper's declaration as --model and this one as --growth-model.");
    }

    /// <summary>The model a job trains: the growth definition for X-F, else <see cref="Definition"/>.</summary>
    public ScalableModelDefinition DefinitionFor(RunKind kind) => kind switch
    {
        RunKind.MotivatedFunctionPreserving => GrowthDefinition ?? throw new InvalidOperationException("The X-F run needs a growth definition."),
        RunKind.AblationFirstRandom => FirstRandomDefinition ?? throw new InvalidOperationException("The X-FR run needs its definition."),
        RunKind.AblationLastIdentity => LastIdentityDefinition ?? throw new InvalidOperationException("The X-LI run needs its definition."),
        RunKind.LearnedTrigger or RunKind.LearnedTriggerRandom => GrowthDefinition ?? Definition,
        _ => Definition,
    };

    /// <summary>The growth-ablation cells' definitions (X-FR, X-LI), or null.</summary>
    public ScalableModelDefinition? FirstRandomDefinition { get; }
    public ScalableModelDefinition? LastIdentityDefinition { get; }

    /// <summary>"first-l" when every base tensor keeps its name in the motivated model (the base's blocks come first), else "last-to-last".</summary>
    public static string Placement(ScalableModelDefinition d) =>
        d.Map.Entries.All(e => e.BaseName == e.MotivatedName) ? "first-l" : "last-to-last";

    /// <summary>
    /// Resolves a growth-ablation cell's definition among <paramref name="candidates"/> and checks it: the same
    /// architecture as <paramref name="definition"/>, the declared rule (identity or random extra blocks) and placement.
    /// </summary>
    public static ScalableModelDefinition? CheckAblationModel(ScalableModelDefinition definition, ExperimentConfig config, string? name,
        IEnumerable<ScalableModelDefinition> candidates, bool identity, string placement)
    {
        if (name is null) return null;
        var cell = identity ? "last-to-last + identity (X-LI)" : "first-l + random (X-FR)";
        var d = candidates.FirstOrDefault(c => c.Name == name)
            ?? throw new ArgumentException($"The growth-ablation cell {cell} names {name}, but no such definition was given.");
        var differences = new List<string>();
        if (d.BaseVariant != config.BaseVariant || d.MotivatedVariant != config.MotivatedVariant)
            differences.Add($"it pairs {d.BaseVariant} -> {d.MotivatedVariant}, the configuration {config.BaseVariant} -> {config.MotivatedVariant}");
        else
            foreach (var variant in new[] { config.BaseVariant, config.MotivatedVariant })
            {
                var a = definition.GetVariant(variant);
                var b = d.GetVariant(variant);
                if (a.ParameterCount != b.ParameterCount || a.Flops != b.Flops)
                    differences.Add($"variant {variant} has {b.ParameterCount:N0} parameters and {b.Flops:N0} FLOPs, not {a.ParameterCount:N0} and {a.Flops:N0} as in {definition.Name}");
            }
        if (d.Map.PreservesFunction != identity)
            differences.Add(identity ? "it is declared with the paper's rule (random extra blocks), not Growth = Growth.FunctionPreserving"
                                     : "it is declared with Growth = Growth.FunctionPreserving (identity extra blocks), not the paper's rule");
        if (differences.Count == 0 && Placement(d) != placement)
            differences.Add($"its depth map places the base's blocks {Placement(d)}, not {placement}");
        if (differences.Count > 0)
            throw new ArgumentException($"The growth-ablation cell {cell} cannot use {d.Name}: {string.Join("; ", differences)}.");
        return d;
    }

    /// <summary>All jobs in execution order: seed-major, so a partial experiment has complete seeds.</summary>
    public IEnumerable<(RunKind Kind, long Seed)> Jobs() =>
        from seed in Config.Seeds from kind in Config.Kinds() select (kind, seed);

    /// <summary>Checks or creates <c>config.json</c>. Throws <see cref="ConfigMismatchException"/> on another configuration.</summary>
    public void PrepareWorkDir()
    {
        Directory.CreateDirectory(Path.Combine(WorkDir, "runs"));
        var path = Path.Combine(WorkDir, "config.json");
        var hash = ConfigHash;
        if (File.Exists(path))
        {
            var node = JsonNode.Parse(File.ReadAllText(path))!;
            var stored = (string?)node["hash"];
            if (stored != hash)
            {
                var old = ExperimentConfig.FromJson(node["config"]!.ToJsonString());
                throw new ConfigMismatchException(
                    $"{WorkDir} holds experiment '{old.Name}' with configuration hash {stored}, but this configuration hashes to {hash}. " +
                    $"Differences: {Describe(Differences(old, Config))}. A resumed experiment must use the identical configuration " +
                    "(seeds and ablations may be added); use another --work folder or name, or delete the folder to start over.");
            }
        }
        else
        {
            var node = new JsonObject { ["hash"] = hash, ["config"] = JsonNode.Parse(Config.ToJson()) };
            AtomicFile.WriteAllText(path, node.ToJsonString(ExperimentConfig.Json));
        }
    }

    private static string Describe(IReadOnlyList<string> d) => d.Count == 0 ? "(none found in the fields; another version?)" : string.Join("; ", d);

    internal static IReadOnlyList<string> Differences(ExperimentConfig a, ExperimentConfig b)
    {
        var ja = JsonNode.Parse(a.HashedJson())!.AsObject();
        var jb = JsonNode.Parse(b.HashedJson())!.AsObject();
        var keys = ja.Select(p => p.Key).Union(jb.Select(p => p.Key));
        return keys.Where(k => ja[k]?.ToJsonString() != jb[k]?.ToJsonString())
            .Select(k => $"{k}: {ja[k]?.ToJsonString() ?? "null"} (stored) vs {jb[k]?.ToJsonString() ?? "null"} (now)").ToList();
    }

    /// <summary>Finished records in the work folder (for this configuration's jobs).</summary>
    /// <remarks>Records written before <see cref="RunRecord.TrainingFlops"/> existed get it from their F (<see cref="EqualFlopsBudget.TrainingFlopsOf"/>).</remarks>
    public IReadOnlyList<RunRecord> LoadRecords() =>
        Jobs().Select(j => RecordPath(j.Kind, j.Seed)).Where(File.Exists).Select(p => RunRecord.FromJson(File.ReadAllText(p)))
            .Select(r => r.TrainingFlops is null ? r with { TrainingFlops = EqualFlopsBudget.TrainingFlopsOf(r, Data.TrainSamples) } : r).ToList();

    /// <summary>Runs every job that is not finished yet; returns all records.</summary>
    public IReadOnlyList<RunRecord> Run(CancellationToken ct = default)
    {
        torch.set_num_threads(Config.Threads);
        PrepareWorkDir();
        foreach (var (kind, seed) in Jobs())
        {
            ct.ThrowIfCancellationRequested();
            if (File.Exists(RecordPath(kind, seed)))
            {
                var rec = RunRecord.FromJson(File.ReadAllText(RecordPath(kind, seed)));
                if (rec.ConfigHash != ConfigHash)
                    throw new ConfigMismatchException($"{RecordPath(kind, seed)} was made with configuration {rec.ConfigHash}, not {ConfigHash}.");
                if (rec.Model is not null && rec.Model != DefinitionFor(kind).Name)
                    throw new ConfigMismatchException($"{RecordPath(kind, seed)} trained {rec.Model}, but this configuration's {KindSlug(kind)} job trains {DefinitionFor(kind).Name}.");
                Log.WriteLine($"[{JobName(kind, seed)}] done already, skipped");
                continue;
            }
            if (Prerequisite(kind) is { } pre && !File.Exists(RecordPath(pre, seed)) && JobLock.HolderAlive(LockPath(pre, seed)))
            {
                Log.WriteLine($"[{JobName(kind, seed)}] waits for {JobName(pre, seed)}, which another process is running: skipped");
                continue;
            }
            using (var jobLock = JobLock.TryAcquire(LockPath(kind, seed)))
            {
                if (jobLock is null)
                {
                    Log.WriteLine($"[{JobName(kind, seed)}] running in another process ({LockPath(kind, seed)}): skipped");
                    continue;
                }
                if (File.Exists(RecordPath(kind, seed))) continue;   // finished by another process meanwhile
                RunJob(kind, seed, ct);
            }
            JobFinished?.Invoke(LoadRecords());
        }
        return LoadRecords();
    }

    private IMotivationCondition ConditionFor(RunKind kind, long seed, out double? rate)
    {
        rate = null;
        switch (kind)
        {
            case RunKind.ClassicalBase: return new Never();
            case RunKind.Motivated:
            case RunKind.MotivatedFunctionPreserving:
            case RunKind.AblationFirstRandom:
            case RunKind.AblationLastIdentity: return new ConsecutiveDecrease(Config.K);
            case RunKind.ClassicalLarge:
            case RunKind.ClassicalLargeEqualFlops: return new Always();
            case RunKind.ClassicalBaseEqualFlops: return new Never();
            case RunKind.EmaAblation: return new EmaOfLoss(0.02, 0.002);
            case RunKind.RandomAblation:
            case RunKind.LearnedTriggerRandom:
                var source = Prerequisite(kind)!.Value;
                var path = RecordPath(source, seed);
                if (!File.Exists(path)) throw new InvalidOperationException($"The random run {JobName(kind, seed)} needs the {KindSlug(source)} run of seed {seed} ({path}).");
                rate = RunRecord.FromJson(File.ReadAllText(path)).MotivatedShare;
                return new RandomSchedule(rate.Value, (ulong)seed * 7919UL + 17UL);
            case RunKind.LearnedTrigger:
                var d = DefinitionFor(kind);
                return new LearnedTrigger(d.GetVariant(Config.BaseVariant).Flops, d.GetVariant(Config.MotivatedVariant).Flops, (ulong)seed * 7919UL + 29UL);
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>
    /// For X-C=F and Y-C=F: the steps whose training FLOPs are closest to the same seed's reference motivated run
    /// (its record must exist: the reference job runs first in every seed); null for the other jobs.
    /// </summary>
    private (long Steps, double ReferenceFlops)? EqualFlopsBudgetFor(RunKind kind, long seed, ScalableModelDefinition definition)
    {
        if (kind is not (RunKind.ClassicalBaseEqualFlops or RunKind.ClassicalLargeEqualFlops)) return null;
        var reference = Config.EqualFlopsReference;
        var path = RecordPath(reference, seed);
        if (!File.Exists(path))
            throw new InvalidOperationException($"The equal-compute run {JobName(kind, seed)} needs the {KindSlug(reference)} run of seed {seed} ({path}).");
        var target = EqualFlopsBudget.TrainingFlopsOf(RunRecord.FromJson(File.ReadAllText(path)), Data.TrainSamples);
        var variant = kind == RunKind.ClassicalBaseEqualFlops ? Config.BaseVariant : Config.MotivatedVariant;
        var flops = definition.GetVariant(variant).Flops;
        return (EqualFlopsBudget.Steps(target, flops, Data.TrainSamples, Config.BatchSize), target);
    }

    private IDataLoader TrainLoader(long seed) => Data.TrainLoader(Config, seed);

    private IDataLoader TestLoader() => Data.TestLoader();

    /// <summary>Runs (or resumes) one job and saves its record atomically.</summary>
    public RunRecord RunJob(RunKind kind, long seed, CancellationToken ct = default)
    {
        var name = JobName(kind, seed);
        var condition = ConditionFor(kind, seed, out var rate);
        var ckptDir = CheckpointDir(kind, seed);
        var clock = new WallClock();
        var callbacks = new List<TrainerCallback> { clock, new EpochLog(Log, name), new CheckpointCallback(ckptDir, keepLast: 1) };
        if (ExtraCallbacks is not null) callbacks.AddRange(ExtraCallbacks(kind, seed));
        var definition = DefinitionFor(kind);
        var budget = EqualFlopsBudgetFor(kind, seed, definition);
        var schedule = Config.CreateSchedule();
        var options = new TrainerOptions
        {
            Optimizer = Config.CreateOptimizer(), Condition = condition, Callbacks = callbacks, Seed = seed, TrackTrainAccuracy = false,
            MaxGradientNorm = Config.MaxGradientNorm,
            Schedule = budget is { } bs ? new StretchedSchedule(schedule, Config.Epochs, bs.Steps) : schedule,
        };
        using var trainer = MotivationTrainer.Create(definition, options, CPU);
        var resumedFrom = 0;
        var (latest, skipped) = CheckpointCallback.LatestIntact(ckptDir);
        foreach (var (path, reason) in skipped)
        {
            // Kept for inspection, but out of the checkpoint list: pruning must not keep it over a fresh checkpoint.
            File.Move(path, path + ".corrupt", overwrite: true);
            Log.WriteLine($"[{name}] warning: skipping checkpoint {Path.GetFileName(path)} (kept as {Path.GetFileName(path)}.corrupt): {reason}");
        }
        if (latest is not null)
        {
            trainer.LoadCheckpoint(latest);
            resumedFrom = trainer.CompletedEpochs;
            Log.WriteLine($"[{name}] resuming from {Path.GetFileName(latest)} ({resumedFrom} epochs done)");
        }
        else Log.WriteLine($"[{name}] start: {definition.Name}, {condition.Name}, {Config.Epochs} epochs");

        var train = TrainLoader(seed);
        var epochs = Config.Epochs;
        if (budget is { } bud)
        {
            train = new StepBudgetLoader(train, bud.Steps);
            epochs = EqualFlopsBudget.Epochs(bud.Steps, Data.TrainSamples, Config.BatchSize);
            Log.WriteLine($"[{name}] equal-compute budget: {bud.Steps} steps ({epochs} epochs, the last partial) for {bud.ReferenceFlops / 1e12:F3} TFLOPs of {KindSlug(Config.EqualFlopsReference)}-seed{seed}");
        }
        var test = TestLoader();
        var report = trainer.Fit(train, Config.EvalEveryEpoch ? test : null, epochs, ct);

        var sw = Stopwatch.StartNew();
        EvalResult? b = null, m = null;
        var needBase = kind is not (RunKind.ClassicalLarge or RunKind.ClassicalLargeEqualFlops);
        var needMot = kind is not (RunKind.ClassicalBase or RunKind.ClassicalBaseEqualFlops);
        if (Config.EvalEveryEpoch)
        {
            b = needBase ? report.FinalBase : null;
            m = needMot ? report.FinalMotivated : null;
        }
        else
        {
            if (needBase) b = trainer.Evaluate(ModelRole.Base, test);
            if (needMot) m = trainer.Evaluate(ModelRole.Motivated, test);
        }
        var evalSeconds = sw.Elapsed.TotalSeconds;
        var record = RunRecord.From(kind, seed, ConfigHash, report, b, m, clock.Seconds + evalSeconds, evalSeconds, resumedFrom, rate)
            with { BudgetSteps = budget?.Steps, ReferenceTrainingFlops = budget?.ReferenceFlops };
        AtomicFile.WriteAllText(ReportPath(kind, seed), report.ToJson());
        AtomicFile.WriteAllText(RecordPath(kind, seed), record.ToJson());
        var metric = Config.Metric;
        Log.WriteLine($"[{name}] done: {metric.Label()} base {metric.Format(metric.Of(record, ModelRole.Base) ?? double.NaN)}, motivated {metric.Format(metric.Of(record, ModelRole.Motivated) ?? double.NaN)}, share {record.MotivatedShare:P1}, F {record.MeanForwardFlops / 1e6:F2} M, {record.WallSeconds:F0} s");
        return record;
    }

    /// <summary>Wall time of a job, carried through checkpoints (it must run before the checkpoint callback).</summary>
    private sealed class WallClock : TrainerCallback, ICheckpointableCallback
    {
        private double _carried;
        private Stopwatch? _sw;
        public double Seconds => _carried + (_sw?.Elapsed.TotalSeconds ?? 0);
        public string StateKey => "experiments.wallclock";
        public override void OnFitStart(MotivationTrainer trainer) => _sw = Stopwatch.StartNew();
        public override void OnEpochEnd(MotivationTrainer trainer, EpochMetrics metrics)
        {
            _carried = Seconds;
            _sw = Stopwatch.StartNew();
        }
        public override void OnFitEnd(MotivationTrainer trainer, FitReport report)
        {
            _carried = Seconds;
            _sw = null;
        }
        public JsonObject SaveState() => new() { ["seconds"] = _carried };
        public void LoadState(JsonObject state) => _carried = (double)state["seconds"]!;
    }

    private sealed class EpochLog(TextWriter log, string name) : TrainerCallback
    {
        public override void OnEpochEnd(MotivationTrainer trainer, EpochMetrics e)
        {
            var test = e.BaseTest is { } bt ? $", test base {100 * bt.Accuracy:F2}%" : "";
            if (e.MotivatedTest is { } mt) test += $" motivated {100 * mt.Accuracy:F2}%";
            log.WriteLine($"[{name}] epoch {e.Epoch + 1}: train loss {e.TrainLoss:F4}, share {e.MotivatedShare:P1}, {e.Seconds:F0} s{test}  ({DateTime.Now:HH:mm:ss})");
            log.Flush();
        }
    }
}

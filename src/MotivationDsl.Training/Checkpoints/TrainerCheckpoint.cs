using System.Text.Json;
using System.Text.Json.Nodes;
using MotivationDsl.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Training.Checkpoints;

/// <summary>
/// Saves and restores a <see cref="MotivationTrainer"/>'s whole state at an epoch boundary: both models
/// (parameters and buffers), both optimizers (state tensors and step counts), the condition's state, the torch
/// RNG state, epoch, global step, accounting, history and checkpointable callbacks' state.
/// </summary>
public static class TrainerCheckpoint
{
    /// <summary>Writes the trainer's state to <paramref name="path"/> atomically.</summary>
    public static void Save(MotivationTrainer trainer, string path)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        if (trainer.Active != ModelRole.Base)
            throw new InvalidOperationException("Checkpoints are taken at epoch boundaries, with the base model active.");
        var tensors = new List<(string, Tensor)>();
        var owned = new List<Tensor>();
        try
        {
            foreach (var (name, t) in StateTensors(trainer.Pair.Base)) tensors.Add(("base/" + name, t));
            foreach (var (name, t) in StateTensors(trainer.Pair.Motivated)) tensors.Add(("motivated/" + name, t));
            AddOptimizer(tensors, "opt.base/", trainer.BaseOptimizer);
            AddOptimizer(tensors, "opt.motivated/", trainer.MotivatedOptimizer);
            var rng = random.get_rng_state();
            owned.Add(rng);
            tensors.Add(("rng/torch", rng));

            var callbacks = new JsonObject();
            foreach (var c in trainer.Options.Callbacks.OfType<ICheckpointableCallback>()) callbacks[c.StateKey] = c.SaveState();
            var header = new JsonObject
            {
                ["model"] = trainer.Definition.Name,
                ["baseVariant"] = trainer.Definition.BaseVariant,
                ["motivatedVariant"] = trainer.Definition.MotivatedVariant,
                ["createdUtc"] = DateTime.UtcNow.ToString("O"),
                ["completedEpochs"] = trainer.CompletedEpochs,
                ["globalStep"] = trainer.GlobalStep,
                ["condition"] = new JsonObject { ["name"] = trainer.Condition.Name, ["state"] = trainer.Condition.SaveState() },
                ["optimizers"] = new JsonObject
                {
                    ["base"] = OptimizerHeader(trainer.BaseOptimizer),
                    ["motivated"] = OptimizerHeader(trainer.MotivatedOptimizer),
                },
                ["accounting"] = JsonSerializer.SerializeToNode(trainer.Accounting, CheckpointFile.Json),
                ["history"] = JsonSerializer.SerializeToNode(trainer.History.ToArray(), CheckpointFile.Json),
                ["callbacks"] = callbacks,
                ["torchThreads"] = get_num_threads(),
                ["worldSize"] = trainer.WorldSize,
            };
            CheckpointFile.Write(path, header, tensors);
        }
        finally
        {
            foreach (var t in owned) t.Dispose();
        }
    }

    /// <summary>
    /// Restores <paramref name="trainer"/> from <paramref name="path"/>. Everything is checked before anything is
    /// changed: a checkpoint of another model, other variants, other tensor shapes, another optimizer or condition is
    /// refused with a <see cref="CheckpointMismatchException"/> naming the mismatch.
    /// </summary>
    public static void Load(MotivationTrainer trainer, string path)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        using var reader = CheckpointFile.Open(path);
        var h = reader.Header;
        var def = trainer.Definition;
        string S(string key) => h[key]?.GetValue<string>() ?? "?";
        if (S("model") != def.Name || S("baseVariant") != def.BaseVariant || S("motivatedVariant") != def.MotivatedVariant)
            throw new CheckpointMismatchException(
                $"Checkpoint '{path}' is for model '{S("model")}' ({S("baseVariant")} -> {S("motivatedVariant")}); " +
                $"this trainer trains '{def.Name}' ({def.BaseVariant} -> {def.MotivatedVariant}).");

        var worldSize = h["worldSize"]?.GetValue<int>() ?? 1;
        if (worldSize != trainer.WorldSize)
            throw new CheckpointMismatchException(
                $"Checkpoint '{path}' was written by a data-parallel run of {worldSize} rank(s); this run has {trainer.WorldSize}. " +
                $"Resume with the same number of ranks (mpirun -np {worldSize}): each rank's shard of every batch, and so the BatchNorm batch statistics, depend on it.");

        // Check every tensor before touching anything.
        var targets = new List<(string Name, Tensor Target)>();
        var problems = new List<string>();
        void Expect(string prefix, IEnumerable<(string, Tensor)> mine)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (n, t) in mine)
            {
                var key = prefix + n;
                names.Add(key);
                if (!reader.Entries.TryGetValue(key, out var e)) problems.Add($"'{key}' is missing from the checkpoint");
                else if (!e.Shape.AsSpan().SequenceEqual(t.shape))
                    problems.Add($"'{key}' has shape [{string.Join(", ", e.Shape)}] in the checkpoint but [{string.Join(", ", t.shape)}] here");
                else if (e.DType != t.dtype) problems.Add($"'{key}' is {e.DType} in the checkpoint but {t.dtype} here");
                else targets.Add((key, t));
            }
            foreach (var key in reader.Entries.Keys)
                if (key.StartsWith(prefix, StringComparison.Ordinal) && !names.Contains(key))
                    problems.Add($"the checkpoint has '{key}', which this model does not");
        }
        Expect("base/", StateTensors(trainer.Pair.Base));
        Expect("motivated/", StateTensors(trainer.Pair.Motivated));
        if (problems.Count > 0)
            throw new CheckpointMismatchException($"Checkpoint '{path}' does not fit '{def.Name}' ({def.BaseVariant} -> {def.MotivatedVariant}): " +
                string.Join("; ", problems.Take(10)) + (problems.Count > 10 ? $"; and {problems.Count - 10} more" : "") + ".");

        var opts = h["optimizers"]!.AsObject();
        CheckOptimizer(path, "base", opts["base"]!.AsObject(), trainer.BaseOptimizer);
        CheckOptimizer(path, "motivated", opts["motivated"]!.AsObject(), trainer.MotivatedOptimizer);
        Expect("opt.base/", OptimizerTensors(trainer.BaseOptimizer));
        Expect("opt.motivated/", OptimizerTensors(trainer.MotivatedOptimizer));
        if (problems.Count > 0)
            throw new CheckpointMismatchException($"Checkpoint '{path}' has other optimizer state: " + string.Join("; ", problems.Take(10)) + ".");
        var condition = h["condition"]!.AsObject();
        if (condition["name"]!.GetValue<string>() != trainer.Condition.Name)
            throw new CheckpointMismatchException(
                $"Checkpoint '{path}' was trained with condition '{condition["name"]}', this trainer uses '{trainer.Condition.Name}'.");

        // Everything fits: restore.
        // Motivated tensors first, base last: with a zero-copy pair the base's mapped tensors are views of the motivated
        // ones, and the base (active at every epoch end) holds the latest shared values. Copy mode: disjoint tensors, order irrelevant.
        foreach (var (key, t) in targets.OrderBy(x => x.Name.StartsWith("motivated/", StringComparison.Ordinal) || x.Name.StartsWith("opt.motivated/", StringComparison.Ordinal) ? 0 : 1))
            reader.CopyInto(key, t);
        RestoreSteps(opts["base"]!.AsObject(), trainer.BaseOptimizer);
        RestoreSteps(opts["motivated"]!.AsObject(), trainer.MotivatedOptimizer);
        trainer.Condition.LoadState(condition["state"]!.AsObject());
        var cbs = h["callbacks"]?.AsObject();
        foreach (var c in trainer.Options.Callbacks.OfType<ICheckpointableCallback>())
            if (cbs?[c.StateKey] is JsonObject s) c.LoadState(s);
        var accounting = h["accounting"].Deserialize<Accounting>(CheckpointFile.Json)!;
        var history = h["history"].Deserialize<EpochMetrics[]>(CheckpointFile.Json)!;
        trainer.RestoreProgress(history, h["globalStep"]!.GetValue<long>(), accounting);
        using var rng = reader.Read("rng/torch");
        random.set_rng_state(rng);
    }

    private static IEnumerable<(string, Tensor)> StateTensors(nn.Module module)
    {
        foreach (var (name, p) in module.named_parameters()) yield return (name, p);
        foreach (var (name, b) in module.named_buffers()) yield return (name, b);
    }

    private static IEnumerable<(string, Tensor)> OptimizerTensors(MotivationOptimizer opt)
    {
        foreach (var p in opt.ParameterNames)
            foreach (var s in opt.StateNames)
                yield return ($"{p}/{s}", opt.GetState(p, s));
    }

    private static void AddOptimizer(List<(string, Tensor)> tensors, string prefix, MotivationOptimizer opt)
    {
        foreach (var (n, t) in OptimizerTensors(opt)) tensors.Add((prefix + n, t));
    }

    private static JsonObject OptimizerHeader(MotivationOptimizer opt)
    {
        var steps = new JsonObject();
        foreach (var p in opt.ParameterNames) steps[p] = opt.GetStep(p);
        var hyper = new JsonObject();
        foreach (var (k, v) in opt.Hyperparameters) hyper[k] = v;
        return new JsonObject
        {
            ["kind"] = opt.Kind,
            ["hyperparameters"] = hyper,
            ["stateNames"] = new JsonArray(opt.StateNames.Select(s => (JsonNode)s).ToArray()),
            ["steps"] = steps,
        };
    }

    private static void CheckOptimizer(string path, string which, JsonObject saved, MotivationOptimizer opt)
    {
        var kind = saved["kind"]!.GetValue<string>();
        var names = saved["stateNames"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
        if (kind != opt.Kind || !names.SequenceEqual(opt.StateNames))
            throw new CheckpointMismatchException(
                $"Checkpoint '{path}' has a {kind} {which} optimizer (state: {string.Join(", ", names)}); this trainer uses {opt.Kind} (state: {string.Join(", ", opt.StateNames)}).");
    }

    private static void RestoreSteps(JsonObject saved, MotivationOptimizer opt)
    {
        var steps = saved["steps"]!.AsObject();
        foreach (var p in opt.ParameterNames) opt.SetStep(p, steps[p]!.GetValue<long>());
    }
}

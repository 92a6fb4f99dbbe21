using MotivationDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Experiments;

/// <summary>One model of a finished job, evaluated from the job's final checkpoint as trained and after its BatchNorm statistics were re-estimated.</summary>
/// <param name="RecordedAccuracy">The accuracy in the job's record (the runner's evaluation at the end of training).</param>
/// <param name="AsTrained">The checkpoint's model evaluated as it is (must equal the record: the same state).</param>
/// <param name="Recalibrated">The same model after <see cref="BatchNormStatistics.Recalibrate"/> on <paramref name="Batches"/> training batches.</param>
public sealed record BatchNormRecalibration(string Job, RunKind Kind, long Seed, ModelRole Role, int Batches, int Layers,
    double? RecordedAccuracy, EvalResult AsTrained, EvalResult Recalibrated)
{
    /// <summary>Recalibrated minus as-trained test accuracy, in percentage points.</summary>
    public double GainPoints => 100 * (Recalibrated.Accuracy - AsTrained.Accuracy);
}

public sealed partial class ExperimentRunner
{
    /// <summary>The jobs of this work folder that finished and kept their final checkpoint (the ones <see cref="RecalibrateBatchNorm"/> can evaluate).</summary>
    public IReadOnlyList<(RunKind Kind, long Seed)> JobsWithFinalCheckpoint() =>
        FinishedJobsInWorkDir().Where(j => FinalCheckpoint(j.Kind, j.Seed) is not null).ToList();

    private IEnumerable<(RunKind Kind, long Seed)> FinishedJobsInWorkDir()
    {
        var dir = Path.Combine(WorkDir, "runs");
        if (!Directory.Exists(dir)) yield break;
        foreach (var path in Directory.EnumerateFiles(dir, "*.json").Order(StringComparer.Ordinal))
        {
            if (path.EndsWith(".report.json", StringComparison.Ordinal)) continue;
            if (ParseJobName(Path.GetFileNameWithoutExtension(path)) is { } job) yield return job;
        }
    }

    /// <summary>"x-f-seed4" -> (MotivatedFunctionPreserving, 4); null when the name is not a job name.</summary>
    public static (RunKind Kind, long Seed)? ParseJobName(string name)
    {
        var at = name.LastIndexOf("-seed", StringComparison.Ordinal);
        if (at <= 0 || !long.TryParse(name.AsSpan(at + 5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seed)) return null;
        var slug = name[..at];
        foreach (var kind in Enum.GetValues<RunKind>())
            if (KindSlug(kind) == slug) return (kind, seed);
        return null;
    }

    /// <summary>The checkpoint a finished job kept of its last epoch, or null (deleted, or the job was restored from a results JSON).</summary>
    public string? FinalCheckpoint(RunKind kind, long seed)
    {
        var path = RecordPath(kind, seed);
        if (!File.Exists(path)) return null;
        var record = RunRecord.FromJson(File.ReadAllText(path));
        var (latest, _) = CheckpointCallback.LatestIntact(CheckpointDir(kind, seed));
        return latest is not null && Path.GetFileName(latest) == $"epoch-{record.Epochs:D4}.mdckpt" ? latest : null;
    }

    /// <summary>
    /// Loads a finished job's final checkpoint and evaluates every model the job evaluated on the test set twice: as
    /// trained, and after re-estimating its BatchNorm statistics on the first <paramref name="batches"/> batches of the
    /// job's own training data (seed order of epoch 0). Nothing in the work folder changes.
    /// </summary>
    public IReadOnlyList<BatchNormRecalibration> RecalibrateBatchNorm(RunKind kind, long seed, int batches)
    {
        var name = JobName(kind, seed);
        var checkpoint = FinalCheckpoint(kind, seed) ?? throw new FileNotFoundException(
            $"{name} has no final checkpoint under {CheckpointDir(kind, seed)} (a job restored from a results JSON keeps only its record; re-run it to get the model).");
        var record = RunRecord.FromJson(File.ReadAllText(RecordPath(kind, seed)));
        if (record.ConfigHash != ConfigHash)
            throw new ConfigMismatchException($"{RecordPath(kind, seed)} was made with configuration {record.ConfigHash}, not {ConfigHash}.");
        torch.set_num_threads(Config.Threads);
        var options = new TrainerOptions { Optimizer = Config.CreateOptimizer(), Condition = ConditionFor(kind, seed, out _), Seed = seed, TrackTrainAccuracy = false };
        using var trainer = MotivationTrainer.Create(DefinitionFor(kind), options, CPU);
        trainer.LoadCheckpoint(checkpoint);
        var test = TestLoader();
        var results = new List<BatchNormRecalibration>();
        foreach (var role in new[] { ModelRole.Base, ModelRole.Motivated })
        {
            var recorded = role == ModelRole.Base ? record.BaseAccuracy : record.MotivatedAccuracy;
            if (recorded is null) continue;   // the job did not evaluate (or train) this model
            var model = role == ModelRole.Base ? trainer.Pair.Base : trainer.Pair.Motivated;
            var asTrained = trainer.Evaluate(role, test);
            var layers = BatchNormStatistics.Recalibrate(model, TrainLoader(seed), batches, trainer.Device);
            if (layers == 0)
                throw new ArgumentException($"{DefinitionFor(kind).Name} has no BatchNorm layers with running statistics: there is nothing to re-estimate.");
            var recalibrated = trainer.Evaluate(role, test);
            var result = new BatchNormRecalibration(name, kind, seed, role, batches, layers, recorded, asTrained, recalibrated);
            Log.WriteLine($"[{name}] {role.ToString().ToLowerInvariant()}: test acc {100 * asTrained.Accuracy:F2}% as trained (record {100 * recorded:F2}%), " +
                          $"{100 * recalibrated.Accuracy:F2}% after re-estimating {layers} BatchNorm layers on {batches} batches ({result.GainPoints:+0.00;-0.00;0.00} pp)");
            results.Add(result);
        }
        return results;
    }
}

using System.Text;
using System.Text.Json;
using MotivationDsl.Data;
using MotivationDsl.Reporting;
using MotivationDsl.Training;
using MotivationDsl.Training.Conditions;
using static TorchSharp.torch;

namespace MotivationDsl.Experiments;

/// <summary>Settings of a fine-tuning run.</summary>
public sealed record FineTuneOptions
{
    public int Epochs { get; init; } = 3;
    public int BatchSize { get; init; } = 128;
    public double LearningRate { get; init; } = 0.01;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 5e-4;
    /// <summary>Fine-tune with motivation (<see cref="ConsecutiveDecrease"/>(K)) instead of classically (base only).</summary>
    public bool Motivated { get; init; }
    public int K { get; init; } = 2;
    public long Seed { get; init; } = 1;
}

public sealed record FineTuneResult(LoadReport Load, FitReport Report, double BaseAccuracy, double? MotivatedAccuracy, double AccuracyBeforeFineTuning);

/// <summary>Head replacement + fine-tuning (docs/experiments.md, "Transfer learning").</summary>
public static class FineTuning
{
    /// <summary>
    /// Creates the pair of <paramref name="target"/> (a family declared with the new class count), loads every non-head
    /// tensor from <paramref name="source"/> into the base (the motivated model gets them through the weights map, or
    /// from <paramref name="motivatedSource"/>), and fine-tunes on <paramref name="train"/>; accuracies on <paramref name="test"/>.
    /// </summary>
    /// <param name="source">Null trains from scratch (the baseline a transfer is compared with).</param>
    /// <param name="savePath">When set, the trainer checkpoint after fine-tuning is saved there (e.g. to pre-train for a later transfer).</param>
    public static FineTuneResult Run(ScalableModelDefinition target, IReadOnlyDictionary<string, Tensor>? source, ImageDataset train, ImageDataset test,
        Normalization norm, FineTuneOptions o, NameMap? map = null, IReadOnlyDictionary<string, Tensor>? motivatedSource = null, TextWriter? log = null,
        string? savePath = null)
    {
        log ??= TextWriter.Null;
        train.EnsureLabelsWithin(ClassesOf(target));
        var pair = target.CreatePair(CPU, o.Seed);
        var load = source is null ? new LoadReport([], [], []) : TransferLearning.LoadIntoPair(pair, source, map, motivatedSource);
        log.WriteLine(load.ToString());
        var options = new TrainerOptions
        {
            Optimizer = new Training.Optimizers.SgdOptions(o.LearningRate, Momentum: o.Momentum, WeightDecay: o.WeightDecay),
            Schedule = new Training.Schedules.CosineLr(o.LearningRate, o.Epochs),
            Condition = o.Motivated ? new ConsecutiveDecrease(o.K) : new Never(),
            Seed = o.Seed, TrackTrainAccuracy = false,
        };
        using var trainer = new MotivationTrainer(pair, options, ownsPair: true);
        var tr = new DataLoader(train, new DataLoaderOptions { BatchSize = o.BatchSize, Shuffle = true, Seed = o.Seed, Normalize = norm });
        var te = new DataLoader(test, new DataLoaderOptions { BatchSize = 500, Shuffle = false, Normalize = norm });
        var before = trainer.Evaluate(ModelRole.Base, te).Accuracy;
        var report = trainer.Fit(tr, null, o.Epochs);
        var b = trainer.Evaluate(ModelRole.Base, te).Accuracy;
        double? m = o.Motivated ? trainer.Evaluate(ModelRole.Motivated, te).Accuracy : null;
        if (savePath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(savePath))!);
            trainer.SaveCheckpoint(savePath);
        }
        log.WriteLine($"fine-tuned {o.Epochs} epochs ({report.Condition}): base {100 * before:F2}% -> {100 * b:F2}%" + (m is { } mm ? $", motivated {100 * mm:F2}%" : "") +
                      $", motivated share {report.Accounting.MotivatedShare:P1}");
        return new FineTuneResult(load, report, b, m, before);
    }

    /// <summary>The class count of a family (its head's output size).</summary>
    public static int ClassesOf(ScalableModelDefinition def)
    {
        using var doc = JsonDocument.Parse(def.ManifestJson);
        return doc.RootElement.GetProperty("classes").GetInt32();
    }
}

internal static class TransferCommand
{
    public static int Run(ExperimentCli.Options o, ScalableModelDefinition[] defs)
    {
        var target = ExperimentCli.Find(defs, o.Req("model"));
        var sourcePath = o.Req("source");
        var role = o.Str("source-model", "base")!;
        var renames = o.Str("rename") is { } r ? r.Split(';', StringSplitOptions.RemoveEmptyEntries) : [];
        var map = NameMap.Parse(renames);
        var classes = o.Ints("classes") ?? throw new ArgumentException("--classes (e.g. 5,6,7,8,9) is required.");
        var opts = new FineTuneOptions
        {
            Epochs = o.Int("epochs", 3), BatchSize = o.Int("batch", 128), LearningRate = o.Dbl("lr", 0.01),
            Momentum = o.Dbl("momentum", 0.9), WeightDecay = o.Dbl("wd", 5e-4), Motivated = o.Flag("motivated"),
            K = o.Int("k", 2), Seed = o.Longs("seed", [1])[0],
        };
        var dataDir = o.Str("data");
        var trainLimit = o.IntOrNull("train-limit");
        var testLimit = o.IntOrNull("test-limit");
        var outDir = o.Str("out");
        var name = o.Str("name", "transfer")!;
        TorchSharp.torch.set_num_threads(o.Int("threads", 1));

        using var data = ExperimentCli.LoadData(dataDir);
        using var trainAll = data.Train.WhereClasses(classes);
        using var testAll = data.Test.WhereClasses(classes);
        var train = ExperimentCli.Limit(trainAll, trainLimit);
        var test = ExperimentCli.Limit(testAll, testLimit);
        var save = o.Str("save");
        o.EnsureAllUsed();
        var source = sourcePath == "scratch" ? null : TransferLearning.ReadStateDict(sourcePath, role);
        var result = FineTuning.Run(target, source, train, test, Normalization.FashionMnist, opts, map, null, Console.Out, save);
        if (source is not null) foreach (var t in source.Values) t.Dispose();
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            var sb = new StringBuilder();
            sb.AppendLine($"# Transfer `{name}`");
            sb.AppendLine();
            sb.AppendLine($"Source: `{sourcePath}` ({role}); target {target}; classes {string.Join(",", classes)} relabelled 0..{classes.Count - 1}; train {train.Count}, test {test.Count} images.");
            sb.AppendLine();
            sb.AppendLine(source is null ? "Load: none (trained from scratch)." : $"Load: {result.Load}.");
            sb.AppendLine();
            sb.AppendLine($"Fine-tuning: SGD lr {opts.LearningRate} momentum {opts.Momentum} wd {opts.WeightDecay}, cosine over {opts.Epochs} epochs, batch {opts.BatchSize}, seed {opts.Seed}.");
            sb.AppendLine();
            sb.AppendLine($"| fine-tuning | epochs | acc before % | base acc % | motivated acc % | share |");
            sb.AppendLine("|---|---|---|---|---|---|");
            sb.AppendLine($"| {(opts.Motivated ? $"motivated k={opts.K}" : "classical")} | {opts.Epochs} | {100 * result.AccuracyBeforeFineTuning:F2} | {100 * result.BaseAccuracy:F2} | " +
                          $"{(result.MotivatedAccuracy is { } m ? (100 * m).ToString("F2") : "-")} | {result.Report.Accounting.MotivatedShare:P1} |");
            AtomicFile.WriteAllText(Path.Combine(outDir, name + ".md"), sb.ToString());
            AtomicFile.WriteAllText(Path.Combine(outDir, name + ".report.json"), result.Report.ToJson());
        }
        return 0;
    }
}

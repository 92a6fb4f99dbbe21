using System.CommandLine;
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
    public static Command Create(ScalableModelDefinition[] defs)
    {
        var model = ExperimentCli.Required("--model", "the target family (declared with the new class count)", "NAME");
        var source = ExperimentCli.Required("--source", "checkpoint (.mdckpt, .safetensors, PyTorch pickle) or 'scratch'", "PATH");
        var sourceModel = ExperimentCli.Opt("--source-model", "which model of a trainer checkpoint", "base|motivated", "base").AcceptOnlyFromAmong("base", "motivated");
        var rename = ExperimentCli.OptString("--rename", "extra name rules 'regex=replacement;...'", "RULES");
        var classes = ExperimentCli.LongList("--classes", "the source data's classes to fine-tune on (relabelled 0..n-1)", null);
        classes.Required = true;
        var epochs = ExperimentCli.Opt("--epochs", "fine-tuning epochs", "E", 3).AtLeast(1);
        var batch = ExperimentCli.Opt("--batch", "batch size", "B", 128).AtLeast(1);
        var lr = ExperimentCli.Opt("--lr", "learning rate", "LR", 0.01);
        var momentum = ExperimentCli.Opt("--momentum", "SGD momentum", "M", 0.9);
        var wd = ExperimentCli.Opt("--wd", "weight decay", "WD", 5e-4);
        var motivated = ExperimentCli.Flag("--motivated", "fine-tune with motivation (ConsecutiveDecrease(k))");
        var k = ExperimentCli.Opt("--k", "k of the trigger", "K", 2).AtLeast(1);
        var seed = ExperimentCli.Opt("--seed", "seed", "S", 1L);
        var data = ExperimentCli.OptString("--data", "data folder", "DIR");
        var trainLimit = ExperimentCli.OptInt("--train-limit", "class-balanced training subset", "N").AtLeast(1);
        var testLimit = ExperimentCli.OptInt("--test-limit", "class-balanced test subset", "N").AtLeast(1);
        var outDir = ExperimentCli.OptString("--out", "write NAME.md and NAME.report.json there", "DIR");
        var name = ExperimentCli.Opt("--name", "output name", "NAME", "transfer");
        var threads = ExperimentCli.Opt("--threads", "torch threads", "T", 1).AtLeast(1);
        var save = ExperimentCli.OptString("--save", "save the fine-tuned trainer checkpoint there", "PATH");
        var command = new Command("transfer", "Fine-tune a model family from a checkpoint (the head is replaced).")
        {
            model, source, sourceModel, rename, classes, epochs, batch, lr, momentum, wd, motivated, k, seed, data, trainLimit, testLimit, outDir, name, threads, save,
        };
        command.SetAction(p => ExperimentCli.Guard(() => Run(p, defs, model, source, sourceModel, rename, classes, epochs, batch, lr, momentum, wd, motivated, k, seed,
            data, trainLimit, testLimit, outDir, name, threads, save)));
        return command;
    }

    private static int Run(ParseResult p, ScalableModelDefinition[] defs, Option<string> model, Option<string> sourceOption, Option<string> sourceModel,
        Option<string?> rename, Option<IReadOnlyList<long>> classesOption, Option<int> epochs, Option<int> batch, Option<double> lr, Option<double> momentum,
        Option<double> wd, Option<bool> motivated, Option<int> k, Option<long> seed, Option<string?> dataOption, Option<int?> trainLimitOption,
        Option<int?> testLimitOption, Option<string?> outOption, Option<string> nameOption, Option<int> threads, Option<string?> saveOption)
    {
        var target = ExperimentCli.Find(defs, p.GetValue(model)!);
        var sourcePath = p.GetValue(sourceOption)!;
        var role = p.GetValue(sourceModel)!;
        var renames = p.GetValue(rename) is { } r ? r.Split(';', StringSplitOptions.RemoveEmptyEntries) : [];
        var map = NameMap.Parse(renames);
        var classes = p.GetValue(classesOption)!.Select(c => checked((int)c)).ToList();
        var opts = new FineTuneOptions
        {
            Epochs = p.GetValue(epochs), BatchSize = p.GetValue(batch), LearningRate = p.GetValue(lr),
            Momentum = p.GetValue(momentum), WeightDecay = p.GetValue(wd), Motivated = p.GetValue(motivated),
            K = p.GetValue(k), Seed = p.GetValue(seed),
        };
        var dataDir = p.GetValue(dataOption);
        var trainLimit = p.GetValue(trainLimitOption);
        var testLimit = p.GetValue(testLimitOption);
        var outDir = p.GetValue(outOption);
        var name = p.GetValue(nameOption)!;
        TorchSharp.torch.set_num_threads(p.GetValue(threads));

        using var data = ExperimentCli.LoadData(dataDir);
        using var trainAll = data.Train.WhereClasses(classes);
        using var testAll = data.Test.WhereClasses(classes);
        var train = ExperimentCli.Limit(trainAll, trainLimit);
        var test = ExperimentCli.Limit(testAll, testLimit);
        var save = p.GetValue(saveOption);
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

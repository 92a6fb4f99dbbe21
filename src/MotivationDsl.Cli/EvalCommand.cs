using System.CommandLine;
using System.Globalization;
using MotivationDsl.Training;
using static TorchSharp.torch;

namespace MotivationDsl.Cli;

/// <summary><c>eval</c>: evaluate a run's two trained models on the test set.</summary>
internal static class EvalCommand
{
    public static Command Create(Func<ModelCatalog> catalog, CliOutput output)
    {
        var run = new Option<string>("--run", "-r") { Description = "The run folder (written by train).", Required = true };
        var data = new Option<string?>("--data") { Description = "Data folder or 'sample' (default: the run's data)." };
        var testLimit = new Option<int?>("--test-limit") { Description = "Use only the first N test images (default: the run's setting)." };
        var batchSize = new Option<int>("--batch-size", "-b") { Description = "Evaluation batch size.", DefaultValueFactory = _ => 256 };
        var recalibrate = new Option<int?>("--recalibrate-bn")
        {
            Description = "Also evaluate each model after re-estimating its BatchNorm running statistics on the first N batches of the run's " +
                          "training data (its batch size, seed and augmentation; forward passes in training mode without gradients). " +
                          "The run folder is not changed.",
            HelpName = "N",
        };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int?>("--threads") { Description = "torch.set_num_threads." };
        var command = new Command("eval", "Evaluate a run's base and motivated models (models/*.dat, else the latest checkpoint) on the test set.")
        {
            run, data, testLimit, batchSize, recalibrate, device, threads,
        };
        command.SetAction(parse => CliErrors.Guard(output, () =>
        {
            var dev = Devices.Resolve(parse.GetValue(device)!);
            if (parse.GetValue(threads) is { } t) set_num_threads(t);
            if (parse.GetValue(batchSize) < 1) throw new CliException("--batch-size must be at least 1.");
            var recalibrateBatches = parse.GetValue(recalibrate);
            if (recalibrateBatches is < 1)
                throw new CliException($"--recalibrate-bn {recalibrateBatches}: the number of training batches to re-estimate BatchNorm statistics on must be at least 1.");
            using var models = RunModels.Load(catalog(), parse.GetValue(run)!, dev, output);
            var s = models.Settings;
            var baseInfo = models.Definition.GetVariant(models.Definition.BaseVariant);
            var motivatedInfo = models.Definition.GetVariant(models.Definition.MotivatedVariant);
            var pair = models.Trainer.Pair;
            if (recalibrateBatches is not null && BatchNormStatistics.Layers(pair.Base).Count == 0 && BatchNormStatistics.Layers(pair.Motivated).Count == 0)
                throw new CliException($"--recalibrate-bn: {ModelCatalog.ShortName(models.Definition.Name)} has no BatchNorm layers with running statistics; there is nothing to re-estimate.");
            var dataDir = parse.GetResult(data) is { Implicit: false } ? parse.GetValue(data) : s.Data;
            var limit = parse.GetResult(testLimit) is { Implicit: false } ? parse.GetValue(testLimit) : s.TestLimit;
            // Without --recalibrate-bn only the test set is needed: one training image keeps the loading cheap.
            using var runData = RunDatasets.Load(models.Definition, dataDir, recalibrateBatches is null ? 1 : s.TrainLimit, limit, baseInfo);
            output.Line($"Models: {models.Definition.Name} from {models.Source}");
            output.Line($"Data:   {runData.Description}");
            var loader = runData.TestLoader(parse.GetValue(batchSize), dev);
            var b = models.Trainer.Evaluate(ModelRole.Base, loader);
            var m = models.Trainer.Evaluate(ModelRole.Motivated, loader);
            if (recalibrateBatches is not { } batches)
            {
                output.Table(["model", "variant", ">test accuracy", ">test loss", ">samples"],
                [
                    ["base", baseInfo.Name, Formatting.Percent(b.Accuracy), Loss(b), Formatting.Count(b.Samples)],
                    ["motivated", motivatedInfo.Name, Formatting.Percent(m.Accuracy), Loss(m), Formatting.Count(m.Samples)],
                ]);
                return 0;
            }

            var train = runData.TrainLoader(s.BatchSize, s.Seed, s.Augment, dev);
            if (train.BatchCount < batches)
                output.Warning($"--recalibrate-bn {batches}: the training data has only {train.BatchCount} batches of {s.BatchSize}; the statistics are re-estimated on all of them.");
            var used = Math.Min(batches, train.BatchCount);
            var baseLayers = BatchNormStatistics.Recalibrate(pair.Base, train, used, dev);
            var motivatedLayers = BatchNormStatistics.Recalibrate(pair.Motivated, train, used, dev);
            var rb = models.Trainer.Evaluate(ModelRole.Base, loader);
            var rm = models.Trainer.Evaluate(ModelRole.Motivated, loader);
            output.Line($"BatchNorm: running statistics re-estimated on the first {used} training batches of {s.BatchSize} (seed {s.Seed}): " +
                        $"base {Layers(baseLayers)}, motivated {Layers(motivatedLayers)}; the run folder is unchanged.");
            output.Table(["model", "variant", "BatchNorm statistics", ">test accuracy", ">test loss", ">samples"],
            [
                ["base", baseInfo.Name, "as trained", Formatting.Percent(b.Accuracy), Loss(b), Formatting.Count(b.Samples)],
                ["base", baseInfo.Name, baseLayers == 0 ? "none" : "re-estimated", Formatting.Percent(rb.Accuracy), Loss(rb), Formatting.Count(rb.Samples)],
                ["motivated", motivatedInfo.Name, "as trained", Formatting.Percent(m.Accuracy), Loss(m), Formatting.Count(m.Samples)],
                ["motivated", motivatedInfo.Name, motivatedLayers == 0 ? "none" : "re-estimated", Formatting.Percent(rm.Accuracy), Loss(rm), Formatting.Count(rm.Samples)],
            ]);
            return 0;
        }));
        return command;
    }

    private static string Loss(EvalResult r) => r.Loss.ToString("F4", CultureInfo.InvariantCulture);

    private static string Layers(int count) => count == 0 ? "no BatchNorm layers (evaluated as trained)" : $"{count} BatchNorm layer{(count == 1 ? "" : "s")}";
}

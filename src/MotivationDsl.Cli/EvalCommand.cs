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
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int?>("--threads") { Description = "torch.set_num_threads." };
        var command = new Command("eval", "Evaluate a run's base and motivated models (models/*.dat, else the latest checkpoint) on the test set.")
        {
            run, data, testLimit, batchSize, device, threads,
        };
        command.SetAction(parse => CliErrors.Guard(output, () =>
        {
            var dev = Devices.Resolve(parse.GetValue(device)!);
            if (parse.GetValue(threads) is { } t) set_num_threads(t);
            if (parse.GetValue(batchSize) < 1) throw new CliException("--batch-size must be at least 1.");
            using var models = RunModels.Load(catalog(), parse.GetValue(run)!, dev, output);
            var s = models.Settings;
            var baseInfo = models.Definition.GetVariant(models.Definition.BaseVariant);
            var motivatedInfo = models.Definition.GetVariant(models.Definition.MotivatedVariant);
            var dataDir = parse.GetResult(data) is { Implicit: false } ? parse.GetValue(data) : s.Data;
            var limit = parse.GetResult(testLimit) is { Implicit: false } ? parse.GetValue(testLimit) : s.TestLimit;
            using var runData = RunDatasets.Load(models.Definition, dataDir, 1, limit, baseInfo);
            output.Line($"Models: {models.Definition.Name} from {models.Source}");
            output.Line($"Data:   {runData.Description}");
            var loader = runData.TestLoader(parse.GetValue(batchSize), dev);
            var b = models.Trainer.Evaluate(ModelRole.Base, loader);
            var m = models.Trainer.Evaluate(ModelRole.Motivated, loader);
            output.Table(["model", "variant", ">test accuracy", ">test loss", ">samples"],
            [
                ["base", baseInfo.Name, Formatting.Percent(b.Accuracy), b.Loss.ToString("F4", CultureInfo.InvariantCulture), Formatting.Count(b.Samples)],
                ["motivated", motivatedInfo.Name, Formatting.Percent(m.Accuracy), m.Loss.ToString("F4", CultureInfo.InvariantCulture), Formatting.Count(m.Samples)],
            ]);
            return 0;
        }));
        return command;
    }
}

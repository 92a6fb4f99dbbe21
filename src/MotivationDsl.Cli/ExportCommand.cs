using System.CommandLine;
using MotivationDsl.Reporting;
using static TorchSharp.torch;

namespace MotivationDsl.Cli;

/// <summary><c>export</c>: a model's manifest JSON, and/or a run's trained models as safetensors, PyTorch .pt and TorchSharp .dat.</summary>
internal static class ExportCommand
{
    public static Command Create(Func<ModelCatalog> catalog, CliOutput output)
    {
        var model = CommonOptions.Model();
        var manifest = new Option<FileInfo?>("--manifest") { Description = "Write the model's manifest JSON (variants, FLOPs, weights map) to this file." };
        var run = new Option<string?>("--run", "-r") { Description = "Export this run folder's trained models (models/*.dat, else the latest checkpoint)." };
        var outDir = new Option<string?>("--out", "-o") { Description = "Folder for the exported models (with --run): base/motivated .safetensors, .pt (PyTorch state_dict) and .dat (TorchSharp), plus manifest.json." };
        var command = new Command("export", "Export a model's manifest JSON, or a run's trained models to safetensors / PyTorch .pt / TorchSharp files.")
        {
            model, manifest, run, outDir,
        };
        command.SetAction(parse => CliErrors.Guard(output, () =>
        {
            var runDir = parse.GetValue(run);
            var file = parse.GetValue(manifest);
            if (runDir is null && file is null)
                throw new CliException("Nothing to export: give --manifest FILE and/or --run DIR --out DIR.");
            if (file is not null)
            {
                var definition = runDir is not null && parse.GetValue(model) is null
                    ? catalog().Find(TrainSettings.Load(runDir)?.Model)
                    : catalog().Find(parse.GetValue(model));
                AtomicFile.WriteAllText(file.FullName, definition.ManifestJson);
                output.Line($"Wrote {file.FullName}");
            }
            if (runDir is not null)
            {
                var target = parse.GetValue(outDir) ?? throw new CliException("--run needs --out DIR: the folder to export the models into.");
                using var models = RunModels.Load(catalog(), runDir, CPU, output);
                if (File.Exists(target)) throw new CliException($"--out '{target}' is a file, not a folder.");
                var rows = new List<IReadOnlyList<string>>();
                foreach (var (role, module, variant) in new[]
                         {
                             ("base", models.Trainer.Pair.Base, models.Definition.BaseVariant),
                             ("motivated", models.Trainer.Pair.Motivated, models.Definition.MotivatedVariant),
                         })
                {
                    var st = Path.Combine(target, role + ModelExport.SafetensorsExtension);
                    var pt = Path.Combine(target, role + ".pt");
                    var dat = Path.Combine(target, role + ModelExport.TorchSharpExtension);
                    ModelExport.SaveSafetensors(module, st);
                    ModelExport.SavePyTorch(module, pt);
                    ModelExport.SaveTorchSharp(module, dat);
                    ModelIdentity.Record(models.Definition.Name, role, variant, st, pt, dat);
                    rows.Add([role, variant, st, pt, dat]);
                }
                AtomicFile.WriteAllText(Path.Combine(target, "manifest.json"), models.Definition.ManifestJson);
                output.Line($"Exported {models.Definition.Name} from {models.Source}:");
                output.Table(["model", "variant", "safetensors", "PyTorch .pt", "TorchSharp .dat"], rows);
            }
            return 0;
        }));
        return command;
    }
}

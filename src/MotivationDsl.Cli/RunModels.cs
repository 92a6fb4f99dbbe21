using MotivationDsl.Reporting;
using MotivationDsl.Training;
using MotivationDsl.Training.Checkpoints;
using static TorchSharp.torch;

namespace MotivationDsl.Cli;

/// <summary>Both trained models of a run folder, loaded into a trainer rebuilt from the run's settings.json.</summary>
internal sealed class RunModels : IDisposable
{
    private RunModels(TrainSettings settings, ScalableModelDefinition definition, MotivationTrainer trainer, string source)
    {
        Settings = settings;
        Definition = definition;
        Trainer = trainer;
        Source = source;
    }

    public TrainSettings Settings { get; }
    public ScalableModelDefinition Definition { get; }
    public MotivationTrainer Trainer { get; }
    /// <summary>Where the weights came from (models/*.dat or a checkpoint).</summary>
    public string Source { get; }

    public static RunModels Load(ModelCatalog catalog, string runDir, Device device)
    {
        if (!Directory.Exists(runDir)) throw new CliException($"Run folder '{runDir}' not found.");
        var settings = TrainSettings.Load(runDir)
                       ?? throw new CliException($"'{runDir}' is not a run folder: it has no {TrainSettings.FileName} (written by 'train').");
        var definition = catalog.Find(settings.Model);
        var run = new RunFolder(runDir);
        var trainer = MotivationTrainer.Create(definition, settings.CreateTrainerOptions([]), device);
        try
        {
            var basePath = Path.Combine(run.ModelsDir, "base" + ModelExport.TorchSharpExtension);
            var motivatedPath = Path.Combine(run.ModelsDir, "motivated" + ModelExport.TorchSharpExtension);
            string source;
            if (File.Exists(basePath) && File.Exists(motivatedPath))
            {
                ModelExport.LoadTorchSharp(trainer.Pair.Base, basePath);
                ModelExport.LoadTorchSharp(trainer.Pair.Motivated, motivatedPath);
                source = run.ModelsDir;
            }
            else if (CheckpointCallback.Latest(CheckpointDir(runDir)) is { } checkpoint)
            {
                trainer.LoadCheckpoint(checkpoint);
                source = checkpoint;
            }
            else throw new CliException($"'{runDir}' has no trained models (models/base.dat, models/motivated.dat) and no checkpoint.");
            return new RunModels(settings, definition, trainer, source);
        }
        catch (CheckpointMismatchException e)
        {
            trainer.Dispose();
            throw new CliException($"The checkpoint in '{runDir}' does not fit {definition.Name}: {e.Message}");
        }
        catch
        {
            trainer.Dispose();
            throw;
        }
    }

    public static string CheckpointDir(string runDir) => Path.Combine(runDir, "checkpoints");

    public void Dispose() => Trainer.Dispose();
}

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

    /// <summary>
    /// Loads the models of <paramref name="runDir"/>: models/*.dat when both exist (checked against models/models.json:
    /// the model, role, variant and checksum must match), else the newest intact checkpoint (a newer unreadable one is
    /// skipped with a warning naming it).
    /// </summary>
    public static RunModels Load(ModelCatalog catalog, string runDir, Device device, CliOutput output)
    {
        if (!Directory.Exists(runDir)) throw new CliException($"Run folder '{runDir}' not found.");
        var settings = TrainSettings.Load(runDir)
                       ?? throw new CliException($"'{runDir}' is not a run folder: it has no {TrainSettings.FileName} (written by 'train').");
        var definition = settings.Validate().PairOf(catalog.Find(settings.Model));
        var run = new RunFolder(runDir);
        var trainer = MotivationTrainer.Create(definition, settings.CreateTrainerOptions([]), device);
        try
        {
            var basePath = Path.Combine(run.ModelsDir, "base" + ModelExport.TorchSharpExtension);
            var motivatedPath = Path.Combine(run.ModelsDir, "motivated" + ModelExport.TorchSharpExtension);
            string source;
            if (File.Exists(basePath) && File.Exists(motivatedPath))
            {
                LoadModelFile(trainer.Pair.Base, basePath, definition.Name, "base", definition.BaseVariant);
                LoadModelFile(trainer.Pair.Motivated, motivatedPath, definition.Name, "motivated", definition.MotivatedVariant);
                source = run.ModelsDir;
            }
            else
            {
                var (checkpoint, skipped) = CheckpointCallback.LatestIntact(CheckpointDir(runDir));
                foreach (var (path, reason) in skipped)
                    output.Warning($"skipping checkpoint '{path}': {reason}{(checkpoint is null ? "" : $" Using the newest intact one, '{Path.GetFileName(checkpoint)}'.")}");
                if (checkpoint is null)
                    throw new CliException(skipped.Count == 0
                        ? $"'{runDir}' has no trained models (models/base.dat, models/motivated.dat) and no checkpoint."
                        : $"'{runDir}' has no trained models (models/*.dat) and no intact checkpoint.");
                trainer.LoadCheckpoint(checkpoint);
                source = checkpoint;
            }
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

    /// <summary>Loads a TorchSharp .dat after checking its identity record; any failure is one clear error naming the file.</summary>
    private static void LoadModelFile(nn.Module module, string path, string model, string role, string variant)
    {
        try { ModelIdentity.Verify(path, model, role, variant); }
        catch (InvalidDataException e) { throw new CliException($"{e.Message} Delete the run's models/ folder to use its newest checkpoint instead."); }
        try { ModelExport.LoadTorchSharp(module, path); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or FormatException or NotImplementedException)
        {
            throw new CliException($"'{path}' does not load into the {role} model of {model} ({variant}): {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    public static string CheckpointDir(string runDir) => Path.Combine(runDir, "checkpoints");

    public void Dispose() => Trainer.Dispose();
}

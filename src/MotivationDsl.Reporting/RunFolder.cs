using TorchSharp;

namespace MotivationDsl.Reporting;

/// <summary>
/// The output folder of one training run:
/// <code>
/// &lt;run&gt;/report.json     RunReport (schema motivationdsl.report/1)
/// &lt;run&gt;/metrics.csv     one row per epoch
/// &lt;run&gt;/steps.csv       one row per training step (step, epoch, loss, motivated)
/// &lt;run&gt;/loss.png        loss per step, motivated intervals shaded
/// &lt;run&gt;/tensorboard/    events.out.tfevents.* (TensorBoard)
/// &lt;run&gt;/models/         base.dat, base.safetensors, motivated.dat, motivated.safetensors, models.json (identity + checksums)
/// </code>
/// Every file except the TensorBoard log is written atomically (temporary file + rename).
/// </summary>
public sealed class RunFolder
{
    public string Path { get; }
    public string ReportJsonPath => Combine("report.json");
    public string MetricsCsvPath => Combine("metrics.csv");
    public string StepsCsvPath => Combine("steps.csv");
    public string LossPngPath => Combine("loss.png");
    public string TensorBoardDir => Combine("tensorboard");
    public string ModelsDir => Combine("models");

    public RunFolder(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(Path);
    }

    /// <summary>Creates a new folder under <paramref name="root"/> named "{runName}-yyyyMMdd-HHmmss" (with a suffix if it exists).</summary>
    public static RunFolder CreateUnique(string root, string runName, DateTimeOffset? now = null)
    {
        var stamp = (now ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var baseName = $"{Sanitize(runName)}-{stamp}";
        var path = System.IO.Path.Combine(root, baseName);
        for (int i = 2; Directory.Exists(path); i++) path = System.IO.Path.Combine(root, $"{baseName}-{i}");
        return new RunFolder(path);
    }

    private static string Sanitize(string name)
    {
        var bad = System.IO.Path.GetInvalidFileNameChars().Concat([' ', '/', '\\', ':']).ToHashSet();
        var s = new string(name.Select(c => bad.Contains(c) ? '-' : c).ToArray()).Trim('-', '.');
        return s.Length == 0 ? "run" : s;
    }

    private string Combine(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes report.json and metrics.csv (call after every epoch with Final = null, and at the end).</summary>
    public void WriteReport(RunReport report)
    {
        ReportJson.Write(ReportJsonPath, report);
        MetricsCsv.Write(MetricsCsvPath, report.Epochs);
    }

    /// <summary>Writes steps.csv and loss.png.</summary>
    public void WriteSteps(IReadOnlyList<StepRecord> steps, string? title = null)
    {
        MetricsCsv.WriteSteps(StepsCsvPath, steps);
        LossPlot.Write(LossPngPath, steps, title);
    }

    /// <summary>Opens the TensorBoard log (tensorboard/); feed it steps and epochs as the run goes. A resumed run passes
    /// the global step it continues from, so TensorBoard discards what the interrupted invocation wrote after it.</summary>
    public TensorBoardLog OpenTensorBoard(long? restartStep = null, string? checkpointPath = null) => new(TensorBoardDir, restartStep, checkpointPath);

    /// <summary>Exports a module as models/{name}.dat and models/{name}.safetensors.</summary>
    public ExportedModel SaveModel(torch.nn.Module module, string name) => ModelExport.Save(module, ModelsDir, name);

    /// <summary>Exports a module as models/{role}.dat and .safetensors with its identity in models/models.json (<see cref="ModelIdentity"/>).</summary>
    public ExportedModel SaveModel(torch.nn.Module module, string model, string role, string variant)
    {
        var exported = SaveModel(module, role);
        ModelIdentity.Record(model, role, variant, exported.TorchSharpPath, exported.SafetensorsPath);
        return exported;
    }

    public RunReport ReadReport() => ReportJson.Read(ReportJsonPath);
}

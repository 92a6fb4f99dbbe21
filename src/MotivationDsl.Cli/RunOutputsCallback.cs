using System.Globalization;
using MotivationDsl.Reporting;
using MotivationDsl.Training;

namespace MotivationDsl.Cli;

/// <summary>
/// Writes a run's outputs (docs/outputs.md) from the trainer's events: every step goes to the TensorBoard log and
/// steps.csv/loss.png (motivated steps marked); after every epoch report.json (with <c>final = null</c>),
/// metrics.csv, steps.csv, loss.png and the epoch scalars; at the end of the fit the final report and both models
/// (TorchSharp .dat and .safetensors) under models/. The report is rebuilt from the trainer's history each time,
/// so a resumed run (history restored from the checkpoint) writes the same files as an uninterrupted one.
/// </summary>
public sealed class RunOutputsCallback : TrainerCallback, IDisposable
{
    private readonly List<StepRecord> _steps = [];
    private TensorBoardLog? _tensorBoard;

    public RunOutputsCallback(RunFolder run, string runName, string? dataset, long? seed, IReadOnlyDictionary<string, string>? config,
                              DateTimeOffset? startedUtc = null)
    {
        Run = run;
        RunName = runName;
        Dataset = dataset;
        Seed = seed;
        Config = config;
        StartedUtc = startedUtc ?? DateTimeOffset.UtcNow;
    }

    public RunFolder Run { get; }
    public string RunName { get; }
    public string? Dataset { get; }
    public long? Seed { get; }
    public IReadOnlyDictionary<string, string>? Config { get; }
    public DateTimeOffset StartedUtc { get; private set; }
    public IReadOnlyList<StepRecord> Steps => _steps;
    /// <summary>Set when the fit ends: the exported models.</summary>
    public ExportedModel? BaseModel { get; private set; }
    public ExportedModel? MotivatedModel { get; private set; }

    /// <summary>
    /// After a checkpoint was loaded: keeps the steps of steps.csv the checkpoint covers (step &lt; global step) and
    /// the original start time of report.json, so the outputs continue where the checkpoint left off; the TensorBoard
    /// log of this invocation starts with a restart marker at the checkpoint's step (see <see cref="TensorBoardLog"/>).
    /// </summary>
    public void ResumeFrom(MotivationTrainer trainer, string? checkpoint = null)
    {
        _steps.Clear();
        if (File.Exists(Run.StepsCsvPath))
            _steps.AddRange(ReadSteps(Run.StepsCsvPath).Where(s => s.Step < trainer.GlobalStep));
        if (File.Exists(Run.ReportJsonPath))
        {
            try { if (Run.ReadReport().StartedUtc is { } started) StartedUtc = started; }
            catch (InvalidDataException) { }
        }
        _restart = (trainer.GlobalStep, checkpoint);
    }

    private (long Step, string? Checkpoint)? _restart;

    public override void OnFitStart(MotivationTrainer trainer)
    {
        if (_tensorBoard is not null) return;
        if (_restart is not { } restart)
        {
            _tensorBoard = Run.OpenTensorBoard();
            return;
        }
        _tensorBoard = Run.OpenTensorBoard(restart.Step, restart.Checkpoint);
    }

    public override void OnBatchEnd(MotivationTrainer trainer, in BatchResult r)
    {
        var step = new StepRecord(r.GlobalStep, r.Epoch + 1, r.Loss, r.Active == ModelRole.Motivated);
        _steps.Add(step);
        _tensorBoard?.AddStep(step);
    }

    public override void OnEpochEnd(MotivationTrainer trainer, EpochMetrics metrics)
    {
        var report = BuildReport(trainer, final: false);
        Run.WriteReport(report);
        _tensorBoard?.AddEpoch(report.Epochs[^1], trainer.GlobalStep - 1);
        Run.WriteSteps(_steps, $"{RunName}: training loss (shaded: motivated model active)");
    }

    public override void OnFitEnd(MotivationTrainer trainer, FitReport fit)
    {
        if (trainer.CompletedEpochs == 0) return;
        Run.WriteReport(BuildReport(trainer, final: true));
        Run.WriteSteps(_steps, $"{RunName}: training loss (shaded: motivated model active)");
        _tensorBoard?.Flush();
        BaseModel = Run.SaveModel(trainer.Pair.Base, trainer.Definition.Name, "base", trainer.Definition.BaseVariant);
        MotivatedModel = Run.SaveModel(trainer.Pair.Motivated, trainer.Definition.Name, "motivated", trainer.Definition.MotivatedVariant);
    }

    /// <summary>After a <see cref="NonFiniteLossException"/>: report.json (epochs up to the last finished one, and where the run
    /// diverged), steps.csv and loss.png up to the diverged step. No models are exported.</summary>
    public void WriteDiverged(MotivationTrainer trainer, NonFiniteLossException e, string? lastCheckpoint)
    {
        _tensorBoard?.Flush();
        Run.WriteReport(BuildReport(trainer, final: false) with
        {
            Diverged = new DivergenceReport
            {
                Step = e.GlobalStep,
                Epoch = e.Epoch + 1,
                Model = e.Model == ModelRole.Base ? "base" : "motivated",
                Loss = e.Loss,
                LastCheckpoint = lastCheckpoint,
            },
        });
        Run.WriteSteps(_steps, $"{RunName}: training loss (shaded: motivated model active)");
    }

    /// <summary>The run's report.json content from the trainer's history and accounting.</summary>
    public RunReport BuildReport(MotivationTrainer trainer, bool final)
    {
        var pair = trainer.Pair;
        var acc = trainer.Accounting;
        double fb = pair.BaseInfo.Flops, fm = pair.MotivatedInfo.Flops;
        var tokens = acc.TokensPerSample > 0 ? acc.TokensPerSample : (long?)null;
        var epochs = trainer.History.Select(m => ToEpochReport(m, fb, fm, tokens)).ToArray();
        FinalReport? finalReport = null;
        if (final && trainer.History.Count > 0)
        {
            var last = trainer.History[^1];
            finalReport = new FinalReport
            {
                Steps = acc.BaseBatches + acc.MotivatedBatches,
                MotivatedSteps = acc.MotivatedBatches,
                Activations = trainer.History.Sum(m => m.Activations),
                MotivatedShare = acc.MotivatedShare,
                Base = Metrics(last.BaseTest, Weighted(trainer.History, m => m.BaseTrainLoss, m => m.BaseBatches),
                    Weighted(trainer.History, m => m.BaseTrainAccuracy, m => m.BaseSamples), acc.BaseBatches),
                Motivated = Metrics(last.MotivatedTest, Weighted(trainer.History, m => m.MotivatedTrainLoss, m => m.MotivatedBatches),
                    Weighted(trainer.History, m => m.MotivatedTrainAccuracy, m => m.MotivatedSamples), acc.MotivatedBatches),
                MeanForwardFlops = acc.BaseSamples + acc.MotivatedSamples == 0 ? null : acc.MeanForwardFlops,
                MeanForwardFlopsPerToken = acc.BaseSamples + acc.MotivatedSamples == 0 ? null : acc.MeanForwardFlopsPerToken,
                TotalForwardFlops = Flops.Total(acc.BaseBatches, fb, acc.MotivatedBatches, fm),
                WallSeconds = trainer.History.Sum(m => m.Seconds),
            };
        }
        return new RunReport
        {
            RunName = RunName,
            StartedUtc = StartedUtc,
            FinishedUtc = final ? DateTimeOffset.UtcNow : null,
            Dataset = Dataset,
            Method = trainer.Condition switch
            {
                Training.Conditions.Never => "classical (base only)",
                Training.Conditions.Always => "classical (motivated model on every batch)",
                _ => "motivated",
            },
            Condition = trainer.Condition.Name,
            Seed = Seed,
            Config = Config,
            BaseModel = new ModelInfo { Name = pair.BaseInfo.Name, Parameters = pair.BaseInfo.ParameterCount, ForwardFlops = fb, TokensPerInput = tokens },
            MotivatedModel = new ModelInfo { Name = pair.MotivatedInfo.Name, Parameters = pair.MotivatedInfo.ParameterCount, ForwardFlops = fm, TokensPerInput = tokens },
            Epochs = epochs,
            Final = finalReport,
            SkippedBatches = acc.SkippedBatches,
        };
    }

    /// <summary>Mean of per-epoch values weighted by <paramref name="weight"/> (epochs with NaN or zero weight skipped); NaN when none.</summary>
    private static double Weighted(IEnumerable<EpochMetrics> epochs, Func<EpochMetrics, double> value, Func<EpochMetrics, double> weight)
    {
        double sum = 0, total = 0;
        foreach (var m in epochs)
        {
            double v = value(m), w = weight(m);
            if (double.IsNaN(v) || w <= 0) continue;
            sum += v * w;
            total += w;
        }
        return total == 0 ? double.NaN : sum / total;
    }

    /// <param name="tokensPerInput">A language model's context length (FLOPs per token = per input / this); null otherwise.</param>
    public static EpochReport ToEpochReport(EpochMetrics m, double baseFlops, double motivatedFlops, long? tokensPerInput = null) => new()
    {
        Epoch = m.Epoch + 1,
        Steps = m.BaseBatches + m.MotivatedBatches,
        MotivatedSteps = m.MotivatedBatches,
        Activations = m.Activations,
        MotivatedShare = m.MotivatedShare,
        Base = Metrics(m.BaseTest, m.BaseTrainLoss, m.BaseTrainAccuracy, m.BaseBatches),
        Motivated = Metrics(m.MotivatedTest, m.MotivatedTrainLoss, m.MotivatedTrainAccuracy, m.MotivatedBatches),
        MeanForwardFlops = m.BaseSamples + m.MotivatedSamples == 0 ? null : m.MeanForwardFlops,
        MeanForwardFlopsPerToken = m.BaseSamples + m.MotivatedSamples == 0 || tokensPerInput is not { } t ? null : m.MeanForwardFlops / t,
        TotalForwardFlops = Flops.Total(m.BaseBatches, baseFlops, m.MotivatedBatches, motivatedFlops),
        LearningRate = m.LearningRate,
        WallSeconds = m.Seconds,
    };

    private static ModelMetrics Metrics(EvalResult? test, double trainLoss, double trainAccuracy, long forwards) => new()
    {
        Accuracy = test?.Accuracy,
        Loss = test?.Loss,
        TrainLoss = double.IsNaN(trainLoss) ? null : trainLoss,
        TrainAccuracy = double.IsNaN(trainAccuracy) ? null : trainAccuracy,
        Forwards = forwards,
        Perplexity = test?.Perplexity,
        BitsPerByte = test?.BitsPerByte,
    };

    /// <summary>Reads steps.csv (step,epoch,loss,motivated) as written by <see cref="MetricsCsv.WriteSteps"/>.</summary>
    public static IReadOnlyList<StepRecord> ReadSteps(string path)
    {
        var steps = new List<StepRecord>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            if (cells.Length != 4) throw new CliException($"{path}: malformed row '{line}' (expected step,epoch,loss,motivated).");
            steps.Add(new StepRecord(
                long.Parse(cells[0], CultureInfo.InvariantCulture),
                int.Parse(cells[1], CultureInfo.InvariantCulture),
                double.Parse(cells[2], NumberStyles.Float, CultureInfo.InvariantCulture),
                cells[3] == "1"));
        }
        return steps;
    }

    public void Dispose()
    {
        _tensorBoard?.Dispose();
        _tensorBoard = null;
    }
}

using System.Globalization;
using MotivationDsl.Training;
using Spectre.Console;

namespace MotivationDsl.Cli;

/// <summary>One line per finished epoch (redirected output, CI logs, tests).</summary>
internal sealed class PlainProgress(CliOutput output, int totalEpochs) : TrainerCallback
{
    public override void OnEpochEnd(MotivationTrainer trainer, EpochMetrics m) => output.Line(EpochLine(m, totalEpochs));

    public static string EpochLine(EpochMetrics m, int totalEpochs)
    {
        var ci = CultureInfo.InvariantCulture;
        var line = string.Format(ci, "epoch {0}/{1}: train loss {2:F4}, motivated {3} of {4} batches ({5}, {6} activations)",
            m.Epoch + 1, totalEpochs, m.TrainLoss, m.MotivatedBatches, m.BaseBatches + m.MotivatedBatches,
            Formatting.Percent(m.MotivatedShare), m.Activations);
        if (m.BaseTest is { } b) line += string.Format(ci, " | base acc {0} loss {1:F4}", Formatting.Percent(b.Accuracy), b.Loss);
        if (m.MotivatedTest is { } t) line += string.Format(ci, " | motivated acc {0} loss {1:F4}", Formatting.Percent(t.Accuracy), t.Loss);
        return line + string.Format(ci, " | lr {0:G4} | {1:F1} s", m.LearningRate, m.Seconds);
    }
}

/// <summary>
/// Spectre.Console live progress on a terminal: the whole run (with ETA) and the current epoch's batches, with the
/// last batch loss, the active model and the motivated share so far. Epoch lines are printed above the bars.
/// </summary>
internal sealed class LiveProgress(CliOutput output, int totalEpochs, int batchesPerEpoch) : TrainerCallback
{
    private ProgressTask? _run, _epoch;
    private long _motivated, _batches;

    /// <summary>Runs <paramref name="body"/> with the progress display shown.</summary>
    public T Show<T>(Func<T> body)
    {
        T result = default!;
        output.Console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                _run = ctx.AddTask("run", maxValue: Math.Max(1, (double)totalEpochs * batchesPerEpoch));
                _epoch = ctx.AddTask("epoch", maxValue: batchesPerEpoch);
                result = body();
            });
        return result;
    }

    public override void OnFitStart(MotivationTrainer trainer)
    {
        if (_run is null) return;
        _run.Value = (double)trainer.CompletedEpochs * batchesPerEpoch;
        _run.Description = Markup.Escape($"run: epoch {trainer.CompletedEpochs + 1}/{totalEpochs}");
    }

    public override void OnEpochStart(MotivationTrainer trainer, int epoch)
    {
        _motivated = _batches = 0;
        if (_epoch is null || _run is null) return;
        _epoch.Value = 0;
        _epoch.MaxValue = batchesPerEpoch;
        _run.Description = Markup.Escape($"run: epoch {epoch + 1}/{totalEpochs}");
    }

    public override void OnBatchEnd(MotivationTrainer trainer, in BatchResult r)
    {
        _batches++;
        if (r.Active == ModelRole.Motivated) _motivated++;
        if (_epoch is null || _run is null) return;
        _epoch.Increment(1);
        _run.Increment(1);
        var active = r.Active == ModelRole.Motivated ? "[yellow]motivated[/]" : "[blue]base[/]     ";
        _epoch.Description = string.Format(CultureInfo.InvariantCulture,
            "batch {0}/{1} loss {2:F4} active {3} motivated share {4}", r.Batch + 1, batchesPerEpoch, r.Loss, active,
            Markup.Escape(Formatting.Percent(_batches == 0 ? 0 : (double)_motivated / _batches)));
    }

    public override void OnEpochEnd(MotivationTrainer trainer, EpochMetrics m)
        => output.Console.MarkupLine(Markup.Escape(PlainProgress.EpochLine(m, totalEpochs)));
}

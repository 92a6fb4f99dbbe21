using System.Text.Json.Nodes;

namespace MotivationDsl.Training;

/// <summary>One trained batch, as reported to <see cref="TrainerCallback.OnBatchEnd"/>.</summary>
/// <param name="Active">The model that trained on this batch.</param>
/// <param name="GradientNorm">NaN unless the condition asked for it.</param>
/// <param name="MotivatedNext">Whether the next batch trains the motivated model (before the epoch-end override).</param>
public readonly record struct BatchResult(int Epoch, int Batch, long GlobalStep, double Loss, ModelRole Active,
    double LearningRate, double GradientNorm, bool MotivatedNext);

/// <summary>A switch between the models.</summary>
/// <param name="Direction">BaseToMotivated: the motivated model becomes active; MotivatedToBase: back to the base.</param>
/// <param name="Forced">True for the switch back at an epoch end.</param>
/// <param name="Seconds">Time the copy of weights, buffers and optimizer state took.</param>
public readonly record struct SwitchEvent(MapDirection Direction, bool Forced, int Epoch, long GlobalStep, double Seconds);

/// <summary>
/// Hooks into <see cref="MotivationTrainer.Fit"/> (fastai/Lightning style). All methods do nothing by default.
/// Order per epoch: OnEpochStart, per batch (OnBatchStart, OnBatchEnd, OnSwitch if the trainer switches),
/// the forced OnSwitch at the epoch end, evaluation, OnEpochEnd. Callbacks run in the order they were added.
/// </summary>
public abstract class TrainerCallback
{
    public virtual void OnFitStart(MotivationTrainer trainer) { }
    public virtual void OnEpochStart(MotivationTrainer trainer, int epoch) { }
    public virtual void OnBatchStart(MotivationTrainer trainer, int epoch, int batch, long globalStep, ModelRole active) { }
    public virtual void OnBatchEnd(MotivationTrainer trainer, in BatchResult result) { }
    public virtual void OnSwitch(MotivationTrainer trainer, in SwitchEvent e) { }
    /// <summary>After the epoch's evaluation; checkpoints written here contain the finished epoch.</summary>
    public virtual void OnEpochEnd(MotivationTrainer trainer, EpochMetrics metrics) { }
    public virtual void OnFitEnd(MotivationTrainer trainer, FitReport report) { }
}

/// <summary>A callback whose state belongs in checkpoints (so a resumed run behaves as an uninterrupted one).</summary>
public interface ICheckpointableCallback
{
    /// <summary>Key of the state in the checkpoint; unique among the trainer's callbacks.</summary>
    string StateKey { get; }
    JsonObject SaveState();
    void LoadState(JsonObject state);
}

/// <summary>What <see cref="EarlyStopping"/> watches.</summary>
public enum MonitoredMetric
{
    BaseTestAccuracy = 0,
    BaseTestLoss = 1,
    MotivatedTestAccuracy = 2,
    MotivatedTestLoss = 3,
    TrainLoss = 4,
}

/// <summary>Stops the fit after <see cref="Patience"/> epochs without an improvement of more than <see cref="MinDelta"/>.</summary>
public sealed class EarlyStopping(MonitoredMetric monitor = MonitoredMetric.BaseTestAccuracy, int patience = 10, double minDelta = 0) : TrainerCallback, ICheckpointableCallback
{
    public MonitoredMetric Monitor { get; } = monitor;
    public int Patience { get; } = patience;
    public double MinDelta { get; } = minDelta;
    public double Best { get; private set; } = double.NaN;
    public int BadEpochs { get; private set; }
    public int? StoppedAtEpoch { get; private set; }

    private bool Maximize => Monitor is MonitoredMetric.BaseTestAccuracy or MonitoredMetric.MotivatedTestAccuracy;

    public override void OnEpochEnd(MotivationTrainer trainer, EpochMetrics m)
    {
        var v = Monitor switch
        {
            MonitoredMetric.BaseTestAccuracy => m.BaseTest?.Accuracy,
            MonitoredMetric.BaseTestLoss => m.BaseTest?.Loss,
            MonitoredMetric.MotivatedTestAccuracy => m.MotivatedTest?.Accuracy,
            MonitoredMetric.MotivatedTestLoss => m.MotivatedTest?.Loss,
            _ => m.TrainLoss,
        } ?? throw new InvalidOperationException($"EarlyStopping monitors {Monitor}, which needs a test loader.");
        var improved = double.IsNaN(Best) || (Maximize ? v > Best + MinDelta : v < Best - MinDelta);
        if (improved) { Best = v; BadEpochs = 0; }
        else if (++BadEpochs >= Patience) { StoppedAtEpoch = m.Epoch; trainer.RequestStop(); }
    }

    public string StateKey => "early-stopping";
    public JsonObject SaveState() => new() { ["best"] = BitConverter.DoubleToInt64Bits(Best), ["bad"] = BadEpochs };
    public void LoadState(JsonObject s) { Best = BitConverter.Int64BitsToDouble(s["best"]!.GetValue<long>()); BadEpochs = s["bad"]!.GetValue<int>(); }
}

/// <summary>Writes one line per epoch (and optionally per switch) to a <see cref="TextWriter"/>.</summary>
public sealed class ConsoleLogger(TextWriter? writer = null, bool logSwitches = false) : TrainerCallback
{
    private readonly TextWriter _w = writer ?? Console.Out;

    public override void OnSwitch(MotivationTrainer trainer, in SwitchEvent e)
    {
        if (logSwitches) _w.WriteLine($"  step {e.GlobalStep}: {(e.Direction == MapDirection.BaseToMotivated ? "-> motivated" : "-> base")}{(e.Forced ? " (epoch end)" : "")} {e.Seconds * 1e3:F2} ms");
    }

    public override void OnEpochEnd(MotivationTrainer trainer, EpochMetrics m)
    {
        var line = $"epoch {m.Epoch + 1}: loss {m.TrainLoss:F4} motivated {m.MotivatedShare:P1} ({m.Activations} activations) lr {m.LearningRate:G4}";
        if (m.BaseTest is { } b) line += $" | base acc {b.Accuracy:P2} loss {b.Loss:F4}";
        if (m.MotivatedTest is { } mt) line += $" | motivated acc {mt.Accuracy:P2} loss {mt.Loss:F4}";
        _w.WriteLine(line + $" [{m.Seconds:F1}s]");
    }
}

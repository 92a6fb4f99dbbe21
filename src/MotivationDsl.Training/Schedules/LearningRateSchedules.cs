namespace MotivationDsl.Training.Schedules;

/// <summary>
/// Learning rate as a function of the global step (batches trained so far, by either model). The trainer sets
/// both optimizers' learning rate from it before every batch, so base and motivated share one clock.
/// </summary>
public interface ILearningRateSchedule
{
    /// <param name="globalStep">0-based index of the batch about to be trained.</param>
    /// <param name="stepsPerEpoch">Batches per epoch.</param>
    double At(long globalStep, int stepsPerEpoch);
}

/// <summary>
/// Common part: a linear warm-up over the first <see cref="WarmupEpochs"/> epochs (per step, from
/// base/warmupSteps up to base), then <see cref="AfterWarmup"/>.
/// </summary>
public abstract record WarmupSchedule(double BaseLearningRate, int WarmupEpochs) : ILearningRateSchedule
{
    public double At(long globalStep, int stepsPerEpoch)
    {
        if (stepsPerEpoch <= 0) throw new ArgumentOutOfRangeException(nameof(stepsPerEpoch));
        var warmupSteps = (long)WarmupEpochs * stepsPerEpoch;
        if (globalStep < warmupSteps) return BaseLearningRate * (globalStep + 1) / warmupSteps;
        return AfterWarmup(globalStep - warmupSteps, stepsPerEpoch);
    }

    /// <param name="step">Steps since the end of warm-up.</param>
    protected abstract double AfterWarmup(long step, int stepsPerEpoch);
}

/// <summary>Constant learning rate (after an optional warm-up).</summary>
public sealed record ConstantLr(double BaseLearningRate, int WarmupEpochs = 0) : WarmupSchedule(BaseLearningRate, WarmupEpochs)
{
    protected override double AfterWarmup(long step, int stepsPerEpoch) => BaseLearningRate;
}

/// <summary>
/// Cosine annealing per step from the base LR to <see cref="MinLearningRate"/> over the epochs after warm-up
/// (<see cref="TotalEpochs"/> includes the warm-up); stays at the minimum after that.
/// </summary>
public sealed record CosineLr(double BaseLearningRate, int TotalEpochs, int WarmupEpochs = 0, double MinLearningRate = 0)
    : WarmupSchedule(BaseLearningRate, WarmupEpochs)
{
    protected override double AfterWarmup(long step, int stepsPerEpoch)
    {
        var total = (long)(TotalEpochs - WarmupEpochs) * stepsPerEpoch;
        if (total <= 0 || step >= total) return MinLearningRate;
        return MinLearningRate + (BaseLearningRate - MinLearningRate) * 0.5 * (1 + Math.Cos(Math.PI * step / total));
    }
}

/// <summary>Multiplies the LR by <see cref="Gamma"/> every <see cref="StepEpochs"/> whole epochs after warm-up (torch StepLR).</summary>
public sealed record StepLr(double BaseLearningRate, int StepEpochs, double Gamma = 0.1, int WarmupEpochs = 0)
    : WarmupSchedule(BaseLearningRate, WarmupEpochs)
{
    protected override double AfterWarmup(long step, int stepsPerEpoch) =>
        BaseLearningRate * Math.Pow(Gamma, step / stepsPerEpoch / Math.Max(1, StepEpochs));
}

/// <summary>
/// Multiplies the LR by <see cref="Gamma"/> once per <see cref="EveryEpochs"/> epochs after warm-up
/// (torch ExponentialLR stepped per epoch). The paper's EfficientNet recipe: ExponentialLr(0.01, 0.97, EveryEpochs: 2, WarmupEpochs: 5).
/// </summary>
public sealed record ExponentialLr(double BaseLearningRate, double Gamma, int EveryEpochs = 1, int WarmupEpochs = 0)
    : WarmupSchedule(BaseLearningRate, WarmupEpochs)
{
    protected override double AfterWarmup(long step, int stepsPerEpoch) =>
        BaseLearningRate * Math.Pow(Gamma, step / stepsPerEpoch / Math.Max(1, EveryEpochs));
}

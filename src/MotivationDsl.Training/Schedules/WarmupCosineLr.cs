namespace MotivationDsl.Training.Schedules;

/// <summary>
/// The usual language-model schedule, counted in steps: a linear warm-up from base/<see cref="WarmupSteps"/> to the base LR
/// over the first <see cref="WarmupSteps"/> steps, then a cosine decay to <see cref="MinLearningRate"/> at step
/// <see cref="TotalSteps"/> (which includes the warm-up), and the minimum after that.
/// </summary>
public sealed record WarmupCosineLr : ILearningRateSchedule
{
    public WarmupCosineLr(double baseLearningRate, long warmupSteps, long totalSteps, double minLearningRate = 0)
    {
        if (warmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"Warm-up steps must be >= 0, got {warmupSteps}.");
        if (totalSteps <= warmupSteps) throw new ArgumentOutOfRangeException(nameof(totalSteps), $"Total steps ({totalSteps}) must exceed the warm-up steps ({warmupSteps}).");
        BaseLearningRate = baseLearningRate;
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
        MinLearningRate = minLearningRate;
    }

    public double BaseLearningRate { get; }
    public long WarmupSteps { get; }
    public long TotalSteps { get; }
    public double MinLearningRate { get; }

    public double At(long globalStep, int stepsPerEpoch)
    {
        if (globalStep < WarmupSteps) return BaseLearningRate * (globalStep + 1) / WarmupSteps;
        if (globalStep >= TotalSteps) return MinLearningRate;
        var progress = (double)(globalStep - WarmupSteps) / (TotalSteps - WarmupSteps);
        return MinLearningRate + (BaseLearningRate - MinLearningRate) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}

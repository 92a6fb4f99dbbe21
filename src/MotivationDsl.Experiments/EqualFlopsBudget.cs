using MotivationDsl.Training;
using MotivationDsl.Training.Schedules;
using static TorchSharp.torch;

namespace MotivationDsl.Experiments;

/// <summary>
/// Budgets of the equal-compute baselines (X-C=F, Y-C=F): a classical run of one model gets the number of steps whose
/// training FLOPs are closest to a motivated run's. Training FLOPs follow <see cref="Accounting.TrainingFlops"/>:
/// forward + backward = 3 x forward FLOPs per training sample (backward = 2 x forward), optimizer steps and switch
/// copies not counted; evaluation is not training compute.
/// </summary>
public static class EqualFlopsBudget
{
    /// <summary>
    /// A record's training FLOPs. Records written before the field existed have none; their jobs trained every batch
    /// of <see cref="RunRecord.Epochs"/> full epochs, so forward FLOPs = F x epochs x training images.
    /// </summary>
    public static double TrainingFlopsOf(RunRecord r, long trainImages) =>
        r.TrainingFlops ?? 3.0 * r.MeanForwardFlops * r.Epochs * trainImages;

    /// <summary>Samples in step <paramref name="step"/> (0-based over the run): full batches, the last of every epoch holds the rest.</summary>
    public static long SamplesAt(long step, long trainImages, int batchSize)
    {
        var perEpoch = StepsPerEpoch(trainImages, batchSize);
        var inEpoch = step % perEpoch;
        return inEpoch < perEpoch - 1 ? batchSize : trainImages - (perEpoch - 1) * batchSize;
    }

    public static int StepsPerEpoch(long trainImages, int batchSize) =>
        trainImages > 0 && batchSize > 0 ? checked((int)((trainImages + batchSize - 1) / batchSize))
        : throw new ArgumentOutOfRangeException(nameof(trainImages), "Need at least one image and a positive batch size.");

    /// <summary>
    /// The number of steps (at least 1) of a classical run of a model costing <paramref name="forwardFlopsPerSample"/>
    /// whose training FLOPs (3 x forward x samples) are closest to <paramref name="targetTrainingFlops"/>.
    /// </summary>
    public static long Steps(double targetTrainingFlops, long forwardFlopsPerSample, long trainImages, int batchSize)
    {
        if (forwardFlopsPerSample <= 0) throw new ArgumentOutOfRangeException(nameof(forwardFlopsPerSample));
        if (!(targetTrainingFlops > 0)) throw new ArgumentOutOfRangeException(nameof(targetTrainingFlops), "The reference run has no training FLOPs.");
        double perSample = 3.0 * forwardFlopsPerSample, spent = 0;
        for (long n = 0; ; n++)
        {
            var next = spent + perSample * SamplesAt(n, trainImages, batchSize);
            if (next >= targetTrainingFlops)
                return n == 0 || next - targetTrainingFlops < targetTrainingFlops - spent ? n + 1 : n;
            spent = next;
        }
    }

    /// <summary>Training FLOPs of <paramref name="steps"/> classical steps (the value <see cref="Steps"/> minimised the distance of).</summary>
    public static double FlopsOfSteps(long steps, long forwardFlopsPerSample, long trainImages, int batchSize)
    {
        double samples = 0;
        for (long n = 0; n < steps; n++) samples += SamplesAt(n, trainImages, batchSize);
        return 3.0 * forwardFlopsPerSample * samples;
    }

    /// <summary>Epochs a run of <paramref name="steps"/> steps touches (the last one possibly partial).</summary>
    public static int Epochs(long steps, long trainImages, int batchSize) =>
        (int)((steps + StepsPerEpoch(trainImages, batchSize) - 1) / StepsPerEpoch(trainImages, batchSize));
}

/// <summary>
/// A loader that stops after <see cref="Steps"/> batches in total: epochs before the last are whole, the last yields
/// the remaining batches. <see cref="BatchCount"/> stays the full epoch's (the schedules' steps per epoch).
/// </summary>
public sealed class StepBudgetLoader(IDataLoader inner, long steps) : IDataLoader
{
    public long Steps { get; } = steps > 0 ? steps : throw new ArgumentOutOfRangeException(nameof(steps));
    public int BatchCount => inner.BatchCount;

    public IEnumerable<(Tensor Input, Tensor Target)> Batches(int epoch)
    {
        var left = Steps - (long)epoch * inner.BatchCount;
        if (left <= 0) yield break;
        var n = 0L;
        foreach (var batch in inner.Batches(epoch))
        {
            if (n++ >= left) yield break;
            yield return batch;
        }
    }
}

/// <summary>
/// The configured schedule stretched or compressed in time so that its whole length (<see cref="Epochs"/> x steps per
/// epoch) spans <see cref="Steps"/> steps: step g of the budgeted run gets the LR the configured run had at step
/// floor(g x length / Steps). A cosine to 0 over the configured epochs becomes a cosine to 0 over the budget.
/// </summary>
public sealed record StretchedSchedule(ILearningRateSchedule Inner, int Epochs, long Steps) : ILearningRateSchedule
{
    public double At(long globalStep, int stepsPerEpoch)
    {
        var length = (long)Epochs * stepsPerEpoch;
        return Inner.At((long)Math.Floor(globalStep * (double)length / Steps), stepsPerEpoch);
    }
}

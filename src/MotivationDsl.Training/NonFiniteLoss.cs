namespace MotivationDsl.Training;

/// <summary>What <see cref="MotivationTrainer.Fit"/> does when a training batch's loss is NaN or infinite.</summary>
public enum NonFiniteLossPolicy
{
    /// <summary>Stop the fit with a <see cref="NonFiniteLossException"/> (the default): a diverged run is never trained on.</summary>
    Stop = 0,
    /// <summary>
    /// Skip the batch: no optimizer step, not counted as trained, not shown to the condition; counted in
    /// <see cref="EpochMetrics.SkippedBatches"/> and <see cref="Accounting.SkippedBatches"/>. An epoch in which every
    /// batch is skipped stops the fit as <see cref="Stop"/> does (the weights themselves have diverged).
    /// </summary>
    SkipBatch = 1,
}

/// <summary>A training batch's loss was not finite and the policy is <see cref="NonFiniteLossPolicy.Stop"/>.</summary>
public sealed class NonFiniteLossException(int epoch, int batch, long globalStep, ModelRole model, double loss, bool wholeEpochSkipped = false)
    : Exception(wholeEpochSkipped
        ? $"Every batch of epoch {epoch + 1} had a non-finite training loss (last: {loss} at step {globalStep}, {Describe(model)} model): the weights have diverged."
        : $"The training loss became {loss} at step {globalStep} (epoch {epoch + 1}, batch {batch + 1}) while the {Describe(model)} model trained: the run diverged.")
{
    /// <summary>0-based epoch.</summary>
    public int Epoch { get; } = epoch;
    /// <summary>0-based batch of the epoch.</summary>
    public int Batch { get; } = batch;
    /// <summary>The global step of the batch (the steps before it trained).</summary>
    public long GlobalStep { get; } = globalStep;
    /// <summary>The model that was training.</summary>
    public ModelRole Model { get; } = model;
    public double Loss { get; } = loss;

    private static string Describe(ModelRole role) => role == ModelRole.Base ? "base" : "motivated";
}

/// <summary>The trainer's check of every batch loss (before the optimizer step).</summary>
internal static class NonFiniteLossGuard
{
    /// <summary>True when the batch is to be skipped; throws under <see cref="NonFiniteLossPolicy.Stop"/>.</summary>
    public static bool SkipBatch(NonFiniteLossPolicy policy, int epoch, int batch, long globalStep, ModelRole role, double loss)
    {
        if (double.IsFinite(loss)) return false;
        if (policy == NonFiniteLossPolicy.SkipBatch) return true;
        throw new NonFiniteLossException(epoch, batch, globalStep, role, loss);
    }

    /// <summary>After an epoch under <see cref="NonFiniteLossPolicy.SkipBatch"/>: nothing trained at all means divergence.</summary>
    public static void CheckEpoch(int epoch, int trained, int skipped, long globalStep, ModelRole role)
    {
        if (trained == 0 && skipped > 0) throw new NonFiniteLossException(epoch, skipped - 1, globalStep, role, double.NaN, wholeEpochSkipped: true);
    }
}

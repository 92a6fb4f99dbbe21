namespace MotivationDsl.Training.Distributed;

/// <summary>
/// Separates the time ranks spend inside a step's collectives into transfer and waiting. A collective ends for every
/// rank at about the same moment, after the last rank has arrived; so the rank that arrives last spends only the
/// transfer inside it, and every other rank's excess over that minimum is waiting for a slower rank (load imbalance),
/// not communication. Per step: transfer = the minimum over ranks, a rank's waiting = its time - that minimum.
/// </summary>
internal static class CommunicationSplit
{
    /// <param name="collectiveSeconds">Per rank, per step: seconds inside the step's collectives (every rank the same number of steps).</param>
    /// <returns>The transfer summed over the steps, and each rank's waiting summed over the steps.</returns>
    public static (double TransferSeconds, double[] WaitingSeconds) Of(IReadOnlyList<IReadOnlyList<double>> collectiveSeconds)
    {
        ArgumentNullException.ThrowIfNull(collectiveSeconds);
        if (collectiveSeconds.Count == 0) return (0, []);
        var steps = collectiveSeconds[0].Count;
        if (collectiveSeconds.Any(r => r.Count != steps))
            throw new ArgumentException($"every rank needs the same number of steps ({string.Join(", ", collectiveSeconds.Select(r => r.Count))})", nameof(collectiveSeconds));
        double transfer = 0;
        var waiting = new double[collectiveSeconds.Count];
        for (var s = 0; s < steps; s++)
        {
            var min = collectiveSeconds.Min(r => r[s]);
            transfer += min;
            for (var r = 0; r < waiting.Length; r++) waiting[r] += collectiveSeconds[r][s] - min;
        }
        return (transfer, waiting);
    }
}

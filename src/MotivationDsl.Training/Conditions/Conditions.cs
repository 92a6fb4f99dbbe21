using System.Text.Json.Nodes;

namespace MotivationDsl.Training.Conditions;

/// <summary>
/// The paper's condition (Algorithm 1): motivated after <see cref="K"/> consecutive batch-loss decreases, until
/// the first batch whose loss does not decrease. The previous loss is the last batch's, whichever model produced it.
/// The paper leaves two details open: whether the run's first batch can count as a decrease (<see cref="FirstBatch"/>)
/// and what an epoch end does to the streak (<see cref="Boundary"/>).
/// </summary>
public sealed class ConsecutiveDecrease(int k = 2, EpochBoundary boundary = EpochBoundary.ResetCounter, FirstBatch firstBatch = FirstBatch.NotADecrease)
    : IMotivationCondition
{
    private double _prev = Start(firstBatch);
    private int _count;

    public int K { get; } = k >= 1 ? k : throw new ArgumentOutOfRangeException(nameof(k), "k must be >= 1.");
    public EpochBoundary Boundary { get; } = Enum.IsDefined(boundary) ? boundary : throw new ArgumentOutOfRangeException(nameof(boundary));
    public FirstBatch FirstBatch { get; } = Enum.IsDefined(firstBatch) ? firstBatch : throw new ArgumentOutOfRangeException(nameof(firstBatch));
    public int Counter => _count;
    public double PreviousLoss => _prev;

    public string Name => $"consecutive-decrease(k={K}"
        + (Boundary == EpochBoundary.ResetCounter ? "" : $",epoch-boundary={Boundary}")
        + (FirstBatch == FirstBatch.NotADecrease ? "" : $",first-batch={FirstBatch}") + ")";

    // NaN: no comparison holds, so the first batch restarts the counter; +infinity: every finite loss is below it.
    private static double Start(FirstBatch rule) => rule == FirstBatch.Decrease ? double.PositiveInfinity : double.NaN;

    public bool Update(in BatchSignal s)
    {
        _count = s.Loss < _prev ? _count + 1 : 0;
        _prev = s.Loss;
        return _count >= K;
    }

    public void OnEpochEnd(int epoch)
    {
        if (Boundary != EpochBoundary.Carry) _count = 0;
        if (Boundary == EpochBoundary.ResetAll) _prev = Start(FirstBatch);
    }

    public void Reset() { _prev = Start(FirstBatch); _count = 0; }

    public JsonObject SaveState() => new() { ["prev"] = StateJson.Bits(_prev), ["count"] = _count };

    public void LoadState(JsonObject state) { _prev = StateJson.FromBits(state, "prev"); _count = (int)StateJson.L(state, "count"); }
}

/// <summary>
/// Ablation: motivated while the batch loss is at least <see cref="Drop"/> (relative) below the exponential moving
/// average of previous losses (alpha 0.02, drop 0.2% in the paper). The EMA starts at the first loss and is
/// updated after the comparison with every batch loss (either model's).
/// </summary>
public sealed class EmaOfLoss(double alpha = 0.02, double drop = 0.002) : IMotivationCondition
{
    private double _ema = double.NaN;

    public double Alpha { get; } = alpha is > 0 and <= 1 ? alpha : throw new ArgumentOutOfRangeException(nameof(alpha));
    public double Drop { get; } = drop;
    public double Ema => _ema;
    public string Name => $"ema-of-loss(alpha={Alpha},drop={Drop})";

    public bool Update(in BatchSignal s)
    {
        if (double.IsNaN(_ema)) { _ema = s.Loss; return false; }
        var motivated = s.Loss < _ema * (1 - Drop);
        _ema = (1 - Alpha) * _ema + Alpha * s.Loss;
        return motivated;
    }

    public void OnEpochEnd(int epoch) { }
    public void Reset() => _ema = double.NaN;
    public JsonObject SaveState() => new() { ["ema"] = StateJson.Bits(_ema) };
    public void LoadState(JsonObject state) => _ema = StateJson.FromBits(state, "ema");
}

/// <summary>
/// Ablation: motivated after the active model's gradient norm rose <see cref="K"/> times in a row, until the
/// first batch where it does not rise. The gradient norm is computed only because this condition asks for it.
/// </summary>
public sealed class GradientNormRising(int k = 2, EpochBoundary boundary = EpochBoundary.ResetCounter) : IMotivationCondition
{
    private double _prev = double.NaN;
    private int _count;

    public int K { get; } = k >= 1 ? k : throw new ArgumentOutOfRangeException(nameof(k));
    public EpochBoundary Boundary { get; } = boundary;
    public string Name => $"gradient-norm-rising(k={K})";
    public bool NeedsGradientNorm => true;

    public bool Update(in BatchSignal s)
    {
        _count = s.GradientNorm > _prev ? _count + 1 : 0;
        _prev = s.GradientNorm;
        return _count >= K;
    }

    public void OnEpochEnd(int epoch)
    {
        if (Boundary != EpochBoundary.Carry) _count = 0;
        if (Boundary == EpochBoundary.ResetAll) _prev = double.NaN;
    }

    public void Reset() { _prev = double.NaN; _count = 0; }
    public JsonObject SaveState() => new() { ["prev"] = StateJson.Bits(_prev), ["count"] = _count };
    public void LoadState(JsonObject state) { _prev = StateJson.FromBits(state, "prev"); _count = (int)StateJson.L(state, "count"); }
}

/// <summary>
/// Ablation: motivated for the next batch with probability <see cref="Rate"/>, independently per batch, from a
/// seeded SplitMix64 generator whose state is checkpointed.
/// </summary>
public sealed class RandomSchedule(double rate, ulong seed = 0) : IMotivationCondition
{
    private ulong _state = seed;

    public double Rate { get; } = rate is >= 0 and <= 1 ? rate : throw new ArgumentOutOfRangeException(nameof(rate));
    public ulong Seed { get; } = seed;
    public string Name => $"random(rate={Rate},seed={Seed})";

    public bool Update(in BatchSignal s) => SplitMix64.NextDouble(ref _state) < Rate;

    public void OnEpochEnd(int epoch) { }
    public void Reset() => _state = Seed;
    public JsonObject SaveState() => new() { ["state"] = unchecked((long)_state) };
    public void LoadState(JsonObject state) => _state = unchecked((ulong)StateJson.L(state, "state"));
}

/// <summary>Never motivated: trains the base model classically (the "classical base" baseline).</summary>
public sealed class Never : IMotivationCondition
{
    public string Name => "never";
    public bool Update(in BatchSignal s) => false;
    public void OnEpochEnd(int epoch) { }
    public void Reset() { }
    public JsonObject SaveState() => new();
    public void LoadState(JsonObject state) { }
}

/// <summary>
/// Always motivated: every epoch starts with the motivated model and it trains on every batch (the "classical
/// large" baseline through the same code path). The base model is the motivated model's mapped sub-network,
/// copied out at every epoch end.
/// </summary>
public sealed class Always : IMotivationCondition
{
    public string Name => "always";
    public bool StartsEpochMotivated => true;
    public bool Update(in BatchSignal s) => true;
    public void OnEpochEnd(int epoch) { }
    public void Reset() { }
    public JsonObject SaveState() => new();
    public void LoadState(JsonObject state) { }
}

/// <summary>SplitMix64 draws for the conditions that need randomness (their state is a checkpointed ulong).</summary>
internal static class SplitMix64
{
    /// <summary>Advances <paramref name="state"/> and returns a uniform double in [0, 1).</summary>
    public static double NextDouble(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}

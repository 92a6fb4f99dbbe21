using System.Text.Json;
using System.Text.Json.Nodes;

namespace MotivationDsl.Training.Conditions;

/// <summary>What the trainer tells the condition after every batch.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Batch">0-based batch index within the epoch.</param>
/// <param name="GlobalStep">0-based index of this batch over the whole run.</param>
/// <param name="Loss">Raw loss of this batch (whichever model produced it).</param>
/// <param name="Motivated">True when the motivated model produced <paramref name="Loss"/>.</param>
/// <param name="GradientNorm">L2 norm of the active model's gradient; NaN unless the condition asked for it.</param>
public readonly record struct BatchSignal(int Epoch, int Batch, long GlobalStep, double Loss, bool Motivated, double GradientNorm);

/// <summary>
/// Decides, after every batch, whether the motivated model trains on the next batch. The trainer switches to
/// the motivated model when <see cref="Update"/> returns true while un-motivated, and back when it returns
/// false while motivated; every epoch ends un-motivated whatever the condition says.
/// </summary>
public interface IMotivationCondition
{
    /// <summary>Short identifier, stored in checkpoints and reports (<c>consecutive-decrease(k=2)</c>).</summary>
    string Name { get; }

    /// <summary>True if <see cref="BatchSignal.GradientNorm"/> must be computed (it costs a reduction over all gradients).</summary>
    bool NeedsGradientNorm => false;

    /// <summary>True if every epoch starts with the motivated model active (the classical-large baseline).</summary>
    bool StartsEpochMotivated => false;

    /// <summary>Feeds one batch; returns whether the motivated model should be active for the next batch.</summary>
    bool Update(in BatchSignal signal);

    /// <summary>Called after the forced switch back at the end of <paramref name="epoch"/>.</summary>
    void OnEpochEnd(int epoch);

    /// <summary>Back to the state of a fresh run.</summary>
    void Reset();

    /// <summary>Serialisable state for checkpoints (doubles round-trip exactly).</summary>
    JsonObject SaveState();

    void LoadState(JsonObject state);
}

/// <summary>What a counter-based condition keeps across an epoch boundary.</summary>
public enum EpochBoundary
{
    /// <summary>Default: the counter restarts at 0 (the forced switch back ended the streak); the previous loss is kept.</summary>
    ResetCounter = 0,
    /// <summary>Counter and previous loss carry over as if the boundary were not there (only the switch back is forced).</summary>
    Carry = 1,
    /// <summary>Counter and previous loss are both forgotten: the first batch of an epoch never counts as a decrease.</summary>
    ResetAll = 2,
}

/// <summary>Whether the first batch compared with no previous loss (the run's first, or every epoch's first under <see cref="EpochBoundary.ResetAll"/>) counts as a decrease.</summary>
public enum FirstBatch
{
    /// <summary>Default: the previous loss starts as NaN, so the first batch is never a decrease and the counter starts at 0.</summary>
    NotADecrease = 0,
    /// <summary>The previous loss starts as +infinity, so the first batch is a decrease (with k = 1 the second batch is motivated).</summary>
    Decrease = 1,
}

internal static class StateJson
{
    // Deserialize rather than GetValue: a state saved in memory holds an int where a parsed one holds a number.
    public static double D(JsonObject o, string key) => o[key]!.Deserialize<double>();
    public static long L(JsonObject o, string key) => o[key]!.Deserialize<long>();
    // Infinity/NaN are not JSON numbers: store doubles as their IEEE bits.
    public static JsonNode Bits(double v) => JsonValue.Create(BitConverter.DoubleToInt64Bits(v));
    public static double FromBits(JsonObject o, string key) => BitConverter.Int64BitsToDouble(L(o, key));
}

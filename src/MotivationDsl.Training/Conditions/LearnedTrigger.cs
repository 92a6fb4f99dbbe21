using System.Text.Json.Nodes;

namespace MotivationDsl.Training.Conditions;

/// <summary>
/// A learned trigger: a two-armed epsilon-greedy bandit, learned online, that decides after every base batch whether
/// the motivated model trains the next batch (one batch, then the base again). The reward of a decision is the
/// decrease of the base's loss from the batch the decision was made on to the next base batch, per training FLOP
/// spent in between (forward + backward of the base step, plus the motivated step when the decision was to
/// motivate). Every batch loss is measured before that batch's update, on a batch the model has not yet trained on in
/// this epoch: a held-out estimate of the base's loss. Rewards are discounted (<see cref="Discount"/> per decision)
/// because the loss landscape changes as training goes on. The exploration draws come from a seeded SplitMix64
/// generator; all state (means, counts, pending decision, previous loss, generator) is checkpointed, so a run is
/// reproducible from its seed and resumes exactly.
/// </summary>
public sealed class LearnedTrigger : IMotivationCondition
{
    private const int BaseArm = 0, MotivatedArm = 1, NoDecision = -1;
    private readonly double[] _sum = new double[2];
    private readonly double[] _count = new double[2];
    private double _prevBaseLoss = double.NaN;
    private int _pending = NoDecision;
    private ulong _state;

    /// <param name="baseFlops">Forward FLOPs per sample of the base (the cost unit; backward = 2 x forward for both models, so it cancels).</param>
    /// <param name="motivatedFlops">Forward FLOPs per sample of the motivated model.</param>
    /// <param name="seed">Seed of the exploration generator.</param>
    /// <param name="epsilon">Probability of a uniformly random decision.</param>
    /// <param name="discount">Weight of the past per decision (1 = plain averages).</param>
    public LearnedTrigger(long baseFlops, long motivatedFlops, ulong seed, double epsilon = 0.1, double discount = 0.99)
    {
        BaseFlops = baseFlops > 0 ? baseFlops : throw new ArgumentOutOfRangeException(nameof(baseFlops), "FLOPs must be positive.");
        MotivatedFlops = motivatedFlops > 0 ? motivatedFlops : throw new ArgumentOutOfRangeException(nameof(motivatedFlops), "FLOPs must be positive.");
        Epsilon = epsilon is >= 0 and <= 1 ? epsilon : throw new ArgumentOutOfRangeException(nameof(epsilon), "epsilon must be in [0, 1].");
        Discount = discount is > 0 and <= 1 ? discount : throw new ArgumentOutOfRangeException(nameof(discount), "discount must be in (0, 1].");
        Seed = seed;
        _state = seed;
    }

    public long BaseFlops { get; }
    public long MotivatedFlops { get; }
    public double Epsilon { get; }
    public double Discount { get; }
    public ulong Seed { get; }
    public string Name => $"learned-bandit(eps={Epsilon},discount={Discount},seed={Seed})";

    /// <summary>Discounted mean reward of an arm (base-loss decrease per GFLOP per sample); NaN before its first reward.</summary>
    public double MeanReward(bool motivated) => _count[Arm(motivated)] > 0 ? _sum[Arm(motivated)] / _count[Arm(motivated)] : double.NaN;

    /// <summary>Discounted number of rewards an arm has received.</summary>
    public double Weight(bool motivated) => _count[Arm(motivated)];

    public bool Update(in BatchSignal s)
    {
        // After the one motivated batch, back to the base; the reward comes with the next base loss.
        if (s.Motivated) return false;
        if (_pending != NoDecision && !double.IsNaN(_prevBaseLoss))
        {
            var gflops = (BaseFlops + (_pending == MotivatedArm ? MotivatedFlops : 0)) / 1e9;
            var reward = (_prevBaseLoss - s.Loss) / gflops;
            for (var a = 0; a < 2; a++) { _sum[a] *= Discount; _count[a] *= Discount; }
            _sum[_pending] += reward;
            _count[_pending] += 1;
        }
        _prevBaseLoss = s.Loss;
        _pending = Choose();
        return _pending == MotivatedArm;
    }

    private int Choose()
    {
        // Each arm is tried once before the means decide; then epsilon-greedy (ties go to the base: it costs less).
        if (_count[MotivatedArm] == 0 && _count[BaseArm] > 0) return MotivatedArm;
        if (_count[BaseArm] == 0) return BaseArm;
        if (NextDouble() < Epsilon) return NextDouble() < 0.5 ? BaseArm : MotivatedArm;
        return MeanReward(true) > MeanReward(false) ? MotivatedArm : BaseArm;
    }

    /// <summary>
    /// The trainer ends every epoch un-motivated: a decision to motivate taken on the epoch's last batch was never
    /// carried out, so the next reward is credited to the base step alone.
    /// </summary>
    public void OnEpochEnd(int epoch)
    {
        if (_pending == MotivatedArm) _pending = BaseArm;
    }

    public void Reset()
    {
        Array.Clear(_sum);
        Array.Clear(_count);
        _prevBaseLoss = double.NaN;
        _pending = NoDecision;
        _state = Seed;
    }

    public JsonObject SaveState() => new()
    {
        ["sumBase"] = StateJson.Bits(_sum[BaseArm]), ["sumMotivated"] = StateJson.Bits(_sum[MotivatedArm]),
        ["countBase"] = StateJson.Bits(_count[BaseArm]), ["countMotivated"] = StateJson.Bits(_count[MotivatedArm]),
        ["prevBaseLoss"] = StateJson.Bits(_prevBaseLoss), ["pending"] = (long)_pending, ["state"] = unchecked((long)_state),
    };

    public void LoadState(JsonObject state)
    {
        _sum[BaseArm] = StateJson.FromBits(state, "sumBase");
        _sum[MotivatedArm] = StateJson.FromBits(state, "sumMotivated");
        _count[BaseArm] = StateJson.FromBits(state, "countBase");
        _count[MotivatedArm] = StateJson.FromBits(state, "countMotivated");
        _prevBaseLoss = StateJson.FromBits(state, "prevBaseLoss");
        _pending = (int)StateJson.L(state, "pending");
        _state = unchecked((ulong)StateJson.L(state, "state"));
    }

    private static int Arm(bool motivated) => motivated ? MotivatedArm : BaseArm;

    private double NextDouble() => SplitMix64.NextDouble(ref _state);
}

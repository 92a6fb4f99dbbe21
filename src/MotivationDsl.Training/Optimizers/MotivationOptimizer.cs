using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace MotivationDsl.Training.Optimizers;

/// <summary>
/// An optimizer whose per-parameter state (named tensors shaped like the parameter, plus a step count) is
/// explicit and addressable by parameter name, so the trainer can move it through a weights map and write it
/// to checkpoints exactly. Numerics follow torch.optim (single-tensor, non-capturable path).
/// </summary>
/// <remarks>State tensors are allocated eagerly as zeros when the optimizer is created (so a mapped region
/// can always be written); a parameter's step count is 0 until its first update.</remarks>
public abstract class MotivationOptimizer : IDisposable
{
    private readonly Slot[] _slots;
    private readonly Dictionary<string, int> _byName;
    private readonly string[] _stateNames;

    private sealed class Slot(string name, Parameter parameter, Tensor[] state)
    {
        public readonly string Name = name;
        public readonly Parameter Parameter = parameter;
        public readonly Tensor[] State = state;
        public long Step;
    }

    protected MotivationOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters, double learningRate, IReadOnlyList<string> stateNames)
    {
        if (learningRate < 0) throw new ArgumentOutOfRangeException(nameof(learningRate), "Learning rate must be >= 0.");
        _stateNames = stateNames.ToArray();
        LearningRate = learningRate;
        InitialLearningRate = learningRate;
        var slots = new List<Slot>();
        _byName = new Dictionary<string, int>(StringComparer.Ordinal);
        using (no_grad())
        {
            foreach (var (name, p) in parameters)
            {
                if (_byName.ContainsKey(name)) throw new ArgumentException($"Parameter '{name}' given twice.", nameof(parameters));
                var state = new Tensor[_stateNames.Length];
                for (var i = 0; i < state.Length; i++) state[i] = zeros_like(p).DetachFromDisposeScope();
                _byName[name] = slots.Count;
                slots.Add(new Slot(name, p, state));
            }
        }
        _slots = slots.ToArray();
    }

    /// <summary>Short name of the algorithm (<c>sgd</c>, <c>adam</c>, <c>adamw</c>, <c>rmsprop</c>).</summary>
    public abstract string Kind { get; }

    /// <summary>The learning rate used by the next <see cref="Step"/> (the trainer sets it before every batch).</summary>
    public double LearningRate { get; set; }

    public double InitialLearningRate { get; }

    /// <summary>Names of the per-parameter state tensors, e.g. <c>exp_avg</c>, <c>exp_avg_sq</c>.</summary>
    public IReadOnlyList<string> StateNames => _stateNames;

    public IEnumerable<string> ParameterNames => _slots.Select(s => s.Name);

    public int ParameterCount => _slots.Length;

    public bool HasParameter(string name) => _byName.ContainsKey(name);

    /// <summary>The live state tensor <paramref name="stateName"/> of parameter <paramref name="parameterName"/> (not a copy).</summary>
    public Tensor GetState(string parameterName, string stateName)
    {
        var i = Array.IndexOf(_stateNames, stateName);
        if (i < 0) throw new ArgumentException($"{Kind} keeps no state '{stateName}' (it keeps: {string.Join(", ", _stateNames)}).", nameof(stateName));
        return _slots[Index(parameterName)].State[i];
    }

    /// <summary>
    /// Replaces state tensor <paramref name="stateName"/> of <paramref name="parameterName"/> with <paramref name="storage"/>
    /// (same shape and dtype; used by the trainer's zero-copy mode to make the base optimizer's state a view of the
    /// motivated optimizer's). The old tensor is disposed; the optimizer does not own <paramref name="storage"/>'s memory
    /// but disposes the handle with itself.
    /// </summary>
    internal void ShareState(string parameterName, string stateName, Tensor storage)
    {
        var i = Array.IndexOf(_stateNames, stateName);
        var slot = _slots[Index(parameterName)];
        var old = slot.State[i];
        if (!old.shape.AsSpan().SequenceEqual(storage.shape) || old.dtype != storage.dtype)
            throw new ArgumentException($"State '{stateName}' of '{parameterName}' must keep its shape and dtype.", nameof(storage));
        slot.State[i] = storage.DetachFromDisposeScope();
        old.Dispose();
    }

    internal int SlotIndex(string parameterName) => Index(parameterName);
    internal long GetStepAt(int slot) => _slots[slot].Step;
    internal void SetStepAt(int slot, long step) => _slots[slot].Step = step;

    /// <summary>Number of updates applied to parameter <paramref name="parameterName"/>.</summary>
    public long GetStep(string parameterName) => _slots[Index(parameterName)].Step;

    public void SetStep(string parameterName, long step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step));
        _slots[Index(parameterName)].Step = step;
    }

    /// <summary>
    /// Zeroes every gradient of the optimized parameters in place (PyTorch's <c>zero_grad(set_to_none=False)</c>), or with
    /// <paramref name="setToNone"/> drops them (<c>set_to_none=True</c>). In place is the default: the next backward
    /// accumulates into the kept buffers instead of allocating new ones, which made a ResNet-20 backward ~7% faster here
    /// (docs/performance.md, "Step profile"); 0 + g is exact, so the training is the same. Unlike none, a zeroed gradient is
    /// still a gradient: a parameter that takes no part in a later forward is then updated with a zero gradient (weight
    /// decay, momentum), as in PyTorch with <c>set_to_none=False</c>.
    /// </summary>
    public void ZeroGrad(bool setToNone = false)
    {
        using var _ = no_grad();
        foreach (var s in _slots)
        {
            if (setToNone) { s.Parameter.grad = null; continue; }
            using var grad = s.Parameter.grad;
            grad?.zero_();
        }
    }

    /// <summary>One update of every parameter that has a gradient, at <see cref="LearningRate"/>.</summary>
    public void Step()
    {
        using var _ = no_grad();
        foreach (var s in _slots)
        {
            var grad = s.Parameter.grad;
            if (grad is null) continue;
            s.Step += 1;
            Update(s.Parameter, grad, s.State, s.Step, LearningRate);
        }
    }

    /// <summary>One in-place update of <paramref name="param"/>; <paramref name="step"/> is already incremented (1 on the first update).</summary>
    protected abstract void Update(Tensor param, Tensor grad, Tensor[] state, long step, double lr);

    /// <summary>Hyperparameters, for checkpoint headers and logs.</summary>
    public abstract IReadOnlyDictionary<string, double> Hyperparameters { get; }

    private int Index(string name) =>
        _byName.TryGetValue(name, out var i) ? i : throw new KeyNotFoundException($"The optimizer has no parameter '{name}'.");

    public void Dispose()
    {
        foreach (var s in _slots)
            foreach (var t in s.State) t.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>torch.optim.SGD: momentum, dampening, Nesterov, L2 weight decay. State: <c>momentum_buffer</c> when momentum != 0.</summary>
public sealed class SgdOptimizer : MotivationOptimizer
{
    public SgdOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters, double lr, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false)
        : base(parameters, lr, momentum != 0 ? ["momentum_buffer"] : [])
    {
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening.");
        Momentum = momentum; Dampening = dampening; WeightDecay = weightDecay; Nesterov = nesterov;
    }

    public double Momentum { get; }
    public double Dampening { get; }
    public double WeightDecay { get; }
    public bool Nesterov { get; }
    public override string Kind => "sgd";

    public override IReadOnlyDictionary<string, double> Hyperparameters => new Dictionary<string, double>
    {
        ["lr"] = InitialLearningRate, ["momentum"] = Momentum, ["dampening"] = Dampening,
        ["weight_decay"] = WeightDecay, ["nesterov"] = Nesterov ? 1 : 0,
    };

    protected override void Update(Tensor param, Tensor grad, Tensor[] state, long step, double lr)
    {
        var d = WeightDecay != 0 ? grad.add(param, alpha: WeightDecay) : grad;
        if (Momentum != 0)
        {
            var buf = state[0];
            // torch initialises the buffer with a clone of d_p on the first update.
            if (step == 1) buf.copy_(d);
            else buf.mul_(Momentum).add_(d, alpha: 1 - Dampening);
            d = Nesterov ? d.add(buf, alpha: Momentum) : buf;
        }
        param.add_(d, alpha: -lr);
    }
}

/// <summary>
/// torch.optim.Adam (<c>decoupled=false</c>, L2 weight decay added to the gradient) and torch.optim.AdamW
/// (<c>decoupled=true</c>). State: <c>exp_avg</c>, <c>exp_avg_sq</c> and, with AMSGrad, <c>max_exp_avg_sq</c>.
/// </summary>
public sealed class AdamOptimizer : MotivationOptimizer
{
    public AdamOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0, bool decoupled = false, bool amsgrad = false)
        : base(parameters, lr, amsgrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"])
    {
        Beta1 = beta1; Beta2 = beta2; Eps = eps; WeightDecay = weightDecay; Decoupled = decoupled; AmsGrad = amsgrad;
    }

    /// <summary>torch.optim.AdamW (defaults as PyTorch: weight decay 0.01).</summary>
    public static AdamOptimizer AdamW(IEnumerable<(string Name, Parameter Parameter)> parameters, double lr = 1e-3, double beta1 = 0.9,
        double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.01, bool amsgrad = false) =>
        new(parameters, lr, beta1, beta2, eps, weightDecay, decoupled: true, amsgrad);

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public double WeightDecay { get; }
    public bool Decoupled { get; }
    public bool AmsGrad { get; }
    public override string Kind => Decoupled ? "adamw" : "adam";

    public override IReadOnlyDictionary<string, double> Hyperparameters => new Dictionary<string, double>
    {
        ["lr"] = InitialLearningRate, ["beta1"] = Beta1, ["beta2"] = Beta2, ["eps"] = Eps,
        ["weight_decay"] = WeightDecay, ["amsgrad"] = AmsGrad ? 1 : 0,
    };

    protected override void Update(Tensor param, Tensor grad, Tensor[] state, long step, double lr)
    {
        if (WeightDecay != 0)
        {
            if (Decoupled) param.mul_(1 - lr * WeightDecay);
            else grad = grad.add(param, alpha: WeightDecay);
        }
        var expAvg = state[0];
        var expAvgSq = state[1];
        expAvg.lerp_(grad, 1 - Beta1);
        expAvgSq.mul_(Beta2).addcmul_(grad, grad, value: 1 - Beta2);
        var bc1 = 1 - Math.Pow(Beta1, step);
        var bc2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, step));
        var stepSize = lr / bc1;
        Tensor denom;
        if (AmsGrad)
        {
            var max = state[2];
            using (var m = torch.maximum(max, expAvgSq)) max.copy_(m);
            denom = max.sqrt().div_(bc2Sqrt).add_(Eps);
        }
        else denom = expAvgSq.sqrt().div_(bc2Sqrt).add_(Eps);
        param.addcdiv_(expAvg, denom, value: -stepSize);
    }
}

/// <summary>
/// torch.optim.RMSprop: smoothing <c>alpha</c>, L2 weight decay, momentum, centered. State: <c>square_avg</c>,
/// <c>momentum_buffer</c> when momentum &gt; 0, <c>grad_avg</c> when centered.
/// </summary>
public sealed class RmsPropOptimizer : MotivationOptimizer
{
    public RmsPropOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
        double weightDecay = 0, double momentum = 0, bool centered = false)
        : base(parameters, lr, Names(momentum, centered))
    {
        Alpha = alpha; Eps = eps; WeightDecay = weightDecay; Momentum = momentum; Centered = centered;
    }

    private static string[] Names(double momentum, bool centered)
    {
        var n = new List<string> { "square_avg" };
        if (momentum > 0) n.Add("momentum_buffer");
        if (centered) n.Add("grad_avg");
        return n.ToArray();
    }

    public double Alpha { get; }
    public double Eps { get; }
    public double WeightDecay { get; }
    public double Momentum { get; }
    public bool Centered { get; }
    public override string Kind => "rmsprop";

    public override IReadOnlyDictionary<string, double> Hyperparameters => new Dictionary<string, double>
    {
        ["lr"] = InitialLearningRate, ["alpha"] = Alpha, ["eps"] = Eps, ["weight_decay"] = WeightDecay,
        ["momentum"] = Momentum, ["centered"] = Centered ? 1 : 0,
    };

    protected override void Update(Tensor param, Tensor grad, Tensor[] state, long step, double lr)
    {
        if (WeightDecay != 0) grad = grad.add(param, alpha: WeightDecay);
        var squareAvg = state[0];
        squareAvg.mul_(Alpha).addcmul_(grad, grad, value: 1 - Alpha);
        Tensor avg;
        if (Centered)
        {
            var gradAvg = state[Momentum > 0 ? 2 : 1];
            gradAvg.lerp_(grad, 1 - Alpha);
            avg = squareAvg.addcmul(gradAvg, gradAvg, value: -1).sqrt_().add_(Eps);
        }
        else avg = squareAvg.sqrt().add_(Eps);
        if (Momentum > 0)
        {
            var buf = state[1];
            buf.mul_(Momentum).addcdiv_(grad, avg);
            param.add_(buf, alpha: -lr);
        }
        else param.addcdiv_(grad, avg, value: -lr);
    }
}

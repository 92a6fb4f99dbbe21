using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotivationDsl.Training.Optimizers;

/// <summary>Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_ (L2), without a host read.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient in place by min(1, <paramref name="maxNorm"/> / (total + 1e-6)), where total is the L2 norm
    /// of all gradients together; returns total (before clipping) as a device scalar. Parameters without a gradient are skipped.
    /// </summary>
    public static Tensor ClipByNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"The maximum norm must be positive, got {maxNorm}.");
        using var _ = no_grad();
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToArray();
        if (grads.Length == 0) return zeros(1).squeeze();
        using var scope = NewDisposeScope();
        var total = stack(grads.Select(g => g.norm(2.0f)).ToArray()).norm(2.0f);
        var coefficient = (maxNorm / (total + 1e-6)).clamp_max(1.0);
        foreach (var g in grads) g.mul_(coefficient.to(g.dtype));
        return total.MoveToOuterDisposeScope();
    }
}

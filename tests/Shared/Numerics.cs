using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace MotivationDsl.Testing;

/// <summary>
/// Float comparisons that hold on every CPU (tests/README.md, "Numeric tolerance policy"): two different computations of
/// one function are compared with a tolerance relative to the reference's largest magnitude, never an absolute one, and a
/// comparison whose reference is zero, tiny or huge is refused instead of passing by accident.
/// </summary>
internal static class Numerics
{
    /// <summary>A few elementwise float32 operations in another order (an optimizer step against torch.optim's).</summary>
    public const double Elementwise = 1e-6;

    /// <summary>One float32 kernel against another (other ISA, reduction order or blocking) over a shallow computation.</summary>
    public const double Shallow = 1e-5;

    /// <summary>A float32 forward through a deep network (tens of layers), or TorchSharp against PyTorch.</summary>
    public const double Deep = 1e-4;

    /// <summary>Largest absolute difference of the two tensors and largest magnitude of <paramref name="expected"/>.</summary>
    public static (double Gap, double Scale) Gap(Tensor expected, Tensor actual)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Assert.Equal(expected.shape, actual.shape);
        var e = expected.detach().to_type(ScalarType.Float64);
        var a = actual.detach().to_type(ScalarType.Float64);
        return ((e - a).abs().max().item<double>(), e.abs().max().item<double>());
    }

    /// <summary>
    /// Asserts <c>max |actual - expected| &lt;= relative x max |expected|</c>, and that the reference's scale lies in
    /// [<paramref name="minScale"/>, <paramref name="maxScale"/>]: a state whose values reach 1e18 amplifies rounding beyond any
    /// sensible tolerance, and one whose values are 1e-13 makes any difference look small.
    /// </summary>
    public static void AssertClose(Tensor expected, Tensor actual, double relative, string what, double minScale = 1e-3, double maxScale = 1e4)
    {
        var (gap, scale) = Gap(expected, actual);
        AssertClose(gap, scale, relative, what, minScale, maxScale);
    }

    /// <summary><see cref="AssertClose(Tensor, Tensor, double, string, double, double)"/> on a gap and scale measured elsewhere (e.g. by a PyTorch script).</summary>
    public static void AssertClose(double gap, double scale, double relative, string what, double minScale = 1e-3, double maxScale = 1e4)
    {
        Log(what, gap, scale, relative);
        AssertWellScaled(scale, what, minScale, maxScale);
        Assert.True(gap <= relative * scale,
            $"{what}: values differ by {gap:G3}, {gap / scale:G3} of the largest magnitude {scale:G3} (tolerance {relative:G2} relative)");
    }

    /// <summary>Asserts the two differ by more than <paramref name="relative"/> of the reference's largest magnitude.</summary>
    public static void AssertDifferent(Tensor expected, Tensor actual, double relative, string what, double minScale = 1e-3, double maxScale = 1e4)
    {
        var (gap, scale) = Gap(expected, actual);
        Log(what, gap, scale, relative);
        AssertWellScaled(scale, what, minScale, maxScale);
        Assert.True(gap > relative * scale, $"{what}: values differ by only {gap:G3}, {gap / scale:G3} of the largest magnitude {scale:G3}");
    }

    /// <summary>With MOTIVATIONDSL_NUMERICS_LOG=file set, every comparison appends its margin there (to check a tolerance on another CPU).</summary>
    private static void Log(string what, double gap, double scale, double relative)
    {
        if (Environment.GetEnvironmentVariable("MOTIVATIONDSL_NUMERICS_LOG") is { Length: > 0 } file)
            File.AppendAllText(file, FormattableString.Invariant($"{what}\tgap {gap:G3}\tscale {scale:G3}\trelative {gap / scale:G3}\ttolerance {relative:G2}\n"));
    }

    public static void AssertWellScaled(double scale, string what, double minScale = 1e-3, double maxScale = 1e4) =>
        Assert.True(double.IsFinite(scale) && scale >= minScale && scale <= maxScale,
            $"{what}: the reference's largest magnitude is {scale:G3}, outside [{minScale:G2}, {maxScale:G2}]: the model state is ill-conditioned for this comparison");

    /// <summary>
    /// Sets every BatchNorm's running statistics to the statistics of <paramref name="batch"/> (one forward, no gradients,
    /// with only the BatchNorms in training mode and momentum 1), so that eval mode normalises as train mode does. A few
    /// optimizer steps leave the running statistics mostly at their initial values; eval mode then multiplies the
    /// stale-to-actual scale ratio at every BatchNorm, and a deep network's logits reach 1e18. Stochastic depth and dropout
    /// stay in eval mode here: with their training-mode drops the statistics would not match eval-mode activations.
    /// </summary>
    public static void CalibrateBatchNorm(nn.Module<Tensor, Tensor> model, Tensor batch)
    {
        var norms = model.modules().OfType<BatchNorm2d>().Select(b => (Module: b, b.momentum)).ToList();
        var wasTraining = model.training;
        try
        {
            model.eval();
            foreach (var (b, _) in norms) { b.momentum = 1.0; b.train(); }
            using var _ = no_grad();
            using var __ = model.call(batch);
        }
        finally
        {
            foreach (var (b, momentum) in norms) b.momentum = momentum;
            model.train(wasTraining);
        }
    }
}

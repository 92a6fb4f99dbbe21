using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl;

/// <summary>
/// A fixed list of same-shaped (source, destination) tensor pairs copied in either direction, resolved once. Pairs
/// between <see cref="GrainSize"/> and <see cref="SerialLimit"/> elements are split along dimension 0 into views of at
/// most <see cref="GrainSize"/> elements, so each <c>copy_</c> stays below ATen's parallel grain and runs on the calling
/// thread: a switch copies ~100 small tensors, and an OpenMP fork/join per tensor cost far more than the copy itself
/// (0.5-10 ms each on a loaded 2-core machine; see docs/performance.md). Bigger tensors keep one parallel copy.
/// </summary>
public sealed class TensorCopyPlan : IDisposable
{
    /// <summary>ATen's <c>at::internal::GRAIN_SIZE</c>: element-wise kernels go parallel from this many elements.</summary>
    public const long GrainSize = 32768;

    /// <summary>Tensors up to this many elements are copied serially in chunks; larger ones with one (parallel) copy.</summary>
    public const long SerialLimit = 1 << 20;

    private readonly List<(Tensor A, Tensor B)> _pairs = [];
    private readonly List<Tensor> _owned = [];

    /// <summary>Adds a pair; <paramref name="a"/> and <paramref name="b"/> stay owned by the caller (chunk views are the plan's).</summary>
    public void Add(Tensor a, Tensor b)
    {
        if (!a.shape.AsSpan().SequenceEqual(b.shape))
            throw new ArgumentException($"Shapes differ: {WeightsMap.Shape(a.shape)} and {WeightsMap.Shape(b.shape)}.");
        var n = a.numel();
        if (n <= GrainSize || n > SerialLimit || a.dim() == 0 || a.device_type != DeviceType.CPU)
        {
            _pairs.Add((a, b));
            return;
        }
        var rows = a.shape[0];
        var perRow = n / rows;
        var chunk = Math.Max(1, GrainSize / perRow);
        if (chunk >= rows || perRow > GrainSize) { _pairs.Add((a, b)); return; }
        for (long start = 0; start < rows; start += chunk)
        {
            var len = Math.Min(chunk, rows - start);
            var x = a.narrow(0, start, len).DetachFromDisposeScope();
            var y = b.narrow(0, start, len).DetachFromDisposeScope();
            _owned.Add(x); _owned.Add(y);
            _pairs.Add((x, y));
        }
    }

    public int Count => _pairs.Count;

    /// <summary>Copies every A into its B.</summary>
    public void CopyAToB()
    {
        using var _ = no_grad();
        foreach (var (a, b) in _pairs) b.copy_(a);
    }

    /// <summary>Copies every B into its A.</summary>
    public void CopyBToA()
    {
        using var _ = no_grad();
        foreach (var (a, b) in _pairs) a.copy_(b);
    }

    public void Dispose()
    {
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
        _pairs.Clear();
    }
}

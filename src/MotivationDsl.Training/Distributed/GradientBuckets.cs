using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotivationDsl.Training.Distributed;

/// <summary>
/// Averages a model's gradients across ranks with one all-reduce per bucket: consecutive gradients of one dtype are
/// packed into a flat host buffer of at most <see cref="BucketBytes"/> (a larger tensor gets a bucket of its own),
/// scaled by this rank's share of the global batch, summed over the ranks in place and copied back. The buffers
/// are allocated on the first step and reused; device gradients are staged through them (host memory).
/// </summary>
internal sealed class GradientBuckets(ICommunicator communicator, long bucketBytes) : IDisposable
{
    private readonly List<Tensor> _buffers = [];
    private Bucket[]? _plan;

    public long BucketBytes { get; } = bucketBytes;

    /// <summary>All-reduces done so far (one per bucket per step).</summary>
    public long AllReduces { get; private set; }

    public int BucketCount => _plan?.Length ?? 0;

    /// <summary>Wall time inside the communicator's all-reduce calls (transfer plus waiting for the other ranks), without packing.</summary>
    public double CollectiveSeconds { get; private set; }

    private sealed record Bucket(Tensor Buffer, Parameter[] Parameters, Tensor[] Views);

    /// <summary>Replaces every gradient g of <paramref name="parameters"/> by sum over ranks of (scale_rank x g_rank).</summary>
    public void AllReduce(IReadOnlyList<Parameter> parameters, double scale)
    {
        _plan ??= Plan(parameters);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var bucket in _plan)
        {
            for (var i = 0; i < bucket.Parameters.Length; i++)
            {
                var grad = bucket.Parameters[i].grad
                    ?? throw new DistributedException($"A parameter that had a gradient on the first step has none now; the data-parallel trainer needs every trained parameter to get a gradient on every step.");
                bucket.Views[i].copy_(grad);
            }
            if (scale != 1) bucket.Buffer.mul_(scale);
            var t0 = Stopwatch.GetTimestamp();
            communicator.AllReduceSum(bucket.Buffer);
            CollectiveSeconds += Stopwatch.GetElapsedTime(t0).TotalSeconds;
            AllReduces++;
            for (var i = 0; i < bucket.Parameters.Length; i++) bucket.Parameters[i].grad!.copy_(bucket.Views[i]);
        }
    }

    private Bucket[] Plan(IReadOnlyList<Parameter> parameters)
    {
        var buckets = new List<Bucket>();
        var pending = new List<Parameter>();
        long pendingBytes = 0;
        var pendingType = ScalarType.Float32;
        void Flush()
        {
            if (pending.Count == 0) return;
            var total = pending.Sum(p => p.NumberOfElements);
            var buffer = zeros(total, pendingType, CPU).DetachFromDisposeScope();
            _buffers.Add(buffer);
            var views = new Tensor[pending.Count];
            long offset = 0;
            for (var i = 0; i < pending.Count; i++)
            {
                var n = pending[i].NumberOfElements;
                views[i] = buffer.narrow(0, offset, n).view(pending[i].shape).DetachFromDisposeScope();
                _buffers.Add(views[i]);
                offset += n;
            }
            buckets.Add(new Bucket(buffer, pending.ToArray(), views));
            pending.Clear();
            pendingBytes = 0;
        }
        foreach (var p in parameters)
        {
            if (p.grad is null) continue;
            var type = p.dtype;
            if (type is not (ScalarType.Float32 or ScalarType.Float64))
                throw new DistributedException($"Data-parallel training averages float32 and float64 gradients, not {type}.");
            var bytes = p.NumberOfElements * p.ElementSize;
            if (pending.Count > 0 && (type != pendingType || pendingBytes + bytes > BucketBytes)) Flush();
            pendingType = type;
            pending.Add(p);
            pendingBytes += bytes;
        }
        Flush();
        return buckets.ToArray();
    }

    public void Dispose()
    {
        foreach (var t in _buffers) t.Dispose();
        _buffers.Clear();
        _plan = null;
    }
}

using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotivationDsl.Training.Distributed;

/// <summary>
/// What the <see cref="MotivationTrainer"/> does differently when it runs on more than one rank (docs/distributed.md):
/// shards every batch, all-reduces the loss (so every rank feeds the condition the same value and takes the same
/// switch decision) and the active model's gradients, averages BatchNorm running statistics at switches and epoch
/// ends, starts every fit from rank 0's weights, and sums evaluation counts. Only built when the world has more than
/// one rank: a single-process trainer has no instance and pays nothing.
/// </summary>
internal sealed class DataParallel : IDisposable
{
    /// <summary>Bucket cap of the gradient all-reduce (PyTorch DDP's default, 25 MiB).</summary>
    public const long DefaultBucketBytes = 25L << 20;

    private readonly ICommunicator _comm;
    private readonly GradientBuckets _baseBuckets, _motivatedBuckets;
    private Parameter[]? _baseParameters, _motivatedParameters;

    public DataParallel(ICommunicator communicator, long bucketBytes = DefaultBucketBytes)
    {
        _comm = communicator;
        _baseBuckets = new GradientBuckets(communicator, bucketBytes);
        _motivatedBuckets = new GradientBuckets(communicator, bucketBytes);
    }

    public long GradientAllReduces => _baseBuckets.AllReduces + _motivatedBuckets.AllReduces;

    /// <summary>Wall time in <see cref="AfterBackward"/> (loss all-reduce, which also waits for the slowest rank, and the gradient buckets incl. packing).</summary>
    public double CommunicationSeconds { get; private set; }

    /// <summary>
    /// When not null, every <see cref="AfterBackward"/> appends its timing here (benchmarks: with every rank's list, the
    /// time the last-arriving rank spends in the collectives is the transfer; what the others spend beyond it is waiting
    /// for that rank, i.e. load imbalance).
    /// </summary>
    public List<StepCommunication>? StepTimings { get; set; }

    /// <summary>This rank's part of every batch of <paramref name="loader"/> (rows [r B / N, (r + 1) B / N) of a batch of B).</summary>
    public IDataLoader Shard(IDataLoader loader) => ShardedDataLoader.For(loader, _comm.Rank, _comm.Size);

    /// <summary>
    /// After the backward pass of one batch: checks that every rank trained the same model, all-reduces the loss and
    /// the gradients. Returns the loss of the global batch (mean over all ranks' samples) and its sample count.
    /// </summary>
    public (double Loss, long Samples) AfterBackward(ModelRole role, nn.Module model, Tensor loss, long samples)
    {
        var t0 = Stopwatch.GetTimestamp();
        var bucketsBefore = _baseBuckets.CollectiveSeconds + _motivatedBuckets.CollectiveSeconds;
        var local = loss.dtype == ScalarType.Float32 ? loss.item<float>() : loss.to(ScalarType.Float64).item<double>();
        Span<double> v = [local * samples, samples, role == ModelRole.Motivated ? 1 : 0];
        var s0 = Stopwatch.GetTimestamp();
        _comm.AllReduceSum(v);
        var scalarSeconds = Stopwatch.GetElapsedTime(s0).TotalSeconds;
        if (v[2] != 0 && v[2] != _comm.Size)
            throw new DistributedException(
                $"The ranks disagree on the active model ({v[2]} of {_comm.Size} train the motivated model): the condition must be a deterministic function of the (all-reduced) loss.");
        var total = (long)v[1];
        var parameters = role == ModelRole.Base
            ? _baseParameters ??= model.parameters().ToArray()
            : _motivatedParameters ??= model.parameters().ToArray();
        (role == ModelRole.Base ? _baseBuckets : _motivatedBuckets).AllReduce(parameters, (double)samples / total);
        var hook = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        CommunicationSeconds += hook;
        if (StepTimings is { } timings)
        {
            var collective = scalarSeconds + _baseBuckets.CollectiveSeconds + _motivatedBuckets.CollectiveSeconds - bucketsBefore;
            timings.Add(new StepCommunication(hook - collective, collective));
        }
        return (v[0] / total, total);
    }

    /// <summary>Replaces the floating-point buffers of <paramref name="model"/> (BatchNorm running mean and variance) by their mean over the ranks.</summary>
    public void AverageBuffers(nn.Module model)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var buffers = model.buffers().Where(b => b.is_floating_point()).ToArray();
        if (buffers.Length == 0) return;
        foreach (var group in buffers.GroupBy(b => b.dtype))
        {
            var list = group.ToArray();
            var flat = cat(list.Select(b => b.reshape(-1).cpu()).ToArray());
            _comm.AllReduceSum(flat);
            flat.div_(_comm.Size);
            long offset = 0;
            foreach (var b in list)
            {
                var n = b.NumberOfElements;
                b.copy_(flat.narrow(0, offset, n).view(b.shape));
                offset += n;
            }
        }
    }

    /// <summary>Gives every rank rank 0's parameters and buffers (motivated first: with a zero-copy pair the base's mapped tensors are views of them).</summary>
    public void BroadcastState(MotivationPair pair)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var module in new nn.Module[] { pair.Motivated, pair.Base })
            foreach (var t in module.parameters().Cast<Tensor>().Concat(module.buffers()))
            {
                var host = t.device_type == DeviceType.CPU && t.is_contiguous() ? t : t.contiguous().cpu();
                _comm.Broadcast(host);
                if (!ReferenceEquals(host, t)) t.copy_(host);
            }
    }

    /// <summary>Sums <paramref name="values"/> over the ranks, in place.</summary>
    public void Sum(Span<double> values) => _comm.AllReduceSum(values);

    public void Dispose()
    {
        _baseBuckets.Dispose();
        _motivatedBuckets.Dispose();
    }
}

/// <summary>One step's data-parallel hook: local work (reading the loss, packing and unpacking the buckets) and the time inside the collectives.</summary>
internal readonly record struct StepCommunication(double LocalSeconds, double CollectiveSeconds);

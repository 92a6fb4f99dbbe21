using static TorchSharp.torch;

namespace MotivationDsl.Training;

/// <summary>
/// A source of (input, target) batches, one pass per epoch. The trainer consumes training and test data
/// through this interface only; readers, shuffling and augmentation live behind it.
/// </summary>
/// <remarks>
/// <para>Ownership: the trainer enumerates each batch inside that batch's dispose scope and frees the yielded
/// tensors (and every temporary the loader created while producing them) after the batch. A loader that
/// creates long-lived tensors lazily during enumeration must detach them (<c>DetachFromDisposeScope()</c>).</para>
/// <para>Exact resume: <see cref="Batches"/> must be a deterministic function of the epoch
/// (for example shuffle with a generator seeded from (seed, epoch)), or a resumed run cannot equal an
/// uninterrupted one.</para>
/// </remarks>
public interface IDataLoader
{
    /// <summary>Number of batches one call of <see cref="Batches"/> yields (used by LR schedules).</summary>
    int BatchCount { get; }

    /// <summary>The batches of <paramref name="epoch"/> (0-based): input and int64 class-index target.</summary>
    IEnumerable<(Tensor Input, Tensor Target)> Batches(int epoch);
}

/// <summary>An <see cref="IDataLoader"/> from a batch count and a function of the epoch (adapts any loader in one line).</summary>
public sealed class DelegateDataLoader(int batchCount, Func<int, IEnumerable<(Tensor Input, Tensor Target)>> batches) : IDataLoader
{
    public int BatchCount { get; } = batchCount;
    public IEnumerable<(Tensor Input, Tensor Target)> Batches(int epoch) => batches(epoch);
}

/// <summary>An in-memory <see cref="IDataLoader"/> over two tensors, optionally shuffled per epoch from a seed.</summary>
public sealed class TensorDataLoader : IDataLoader, IDisposable
{
    private readonly Tensor _inputs;
    private readonly Tensor _targets;

    /// <param name="inputs">[N, ...] inputs (kept; disposed with the loader).</param>
    /// <param name="targets">[N] int64 class indices.</param>
    /// <param name="batchSize">Batch size; the last batch may be smaller unless <paramref name="dropLast"/>.</param>
    /// <param name="shuffleSeed">Shuffle every epoch with a generator seeded from (seed, epoch); null keeps order.</param>
    public TensorDataLoader(Tensor inputs, Tensor targets, int batchSize, long? shuffleSeed = null, bool dropLast = false)
    {
        if (inputs.shape[0] != targets.shape[0]) throw new ArgumentException("inputs and targets differ in length.");
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize));
        _inputs = inputs.DetachFromDisposeScope();
        _targets = targets.DetachFromDisposeScope();
        BatchSize = batchSize;
        ShuffleSeed = shuffleSeed;
        DropLast = dropLast;
        Count = inputs.shape[0];
    }

    public long Count { get; }
    public int BatchSize { get; }
    public long? ShuffleSeed { get; }
    public bool DropLast { get; }

    public int BatchCount => (int)(DropLast ? Count / BatchSize : (Count + BatchSize - 1) / BatchSize);

    public IEnumerable<(Tensor Input, Tensor Target)> Batches(int epoch)
    {
        Tensor? order = null;
        try
        {
            if (ShuffleSeed is { } seed)
            {
                using var g = new Generator(unchecked((ulong)(seed * 1_000_003L + epoch)));
                order = randperm(Count, generator: g).DetachFromDisposeScope();
            }
            for (var b = 0; b < BatchCount; b++)
            {
                var start = (long)b * BatchSize;
                var len = Math.Min(BatchSize, Count - start);
                if (order is null)
                    yield return (_inputs.narrow(0, start, len), _targets.narrow(0, start, len));
                else
                {
                    using var idx = order.narrow(0, start, len);
                    yield return (_inputs.index_select(0, idx), _targets.index_select(0, idx));
                }
            }
        }
        finally
        {
            order?.Dispose();
        }
    }

    public void Dispose()
    {
        _inputs.Dispose();
        _targets.Dispose();
    }
}

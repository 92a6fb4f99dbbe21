using static TorchSharp.torch;

namespace MotivationDsl.Training.Distributed;

/// <summary>
/// A loader that can produce one rank's part of every batch itself, without building the whole batch first (the
/// data-parallel trainer uses it when the loader offers it, and slices whole batches otherwise).
/// </summary>
public interface IShardableDataLoader : IDataLoader
{
    /// <summary>
    /// The same batches as <see cref="IDataLoader.Batches"/>, each cut to rows [rank B / worldSize, (rank + 1) B / worldSize)
    /// of its B samples (integer division), so the ranks' parts are disjoint and cover the batch.
    /// </summary>
    IDataLoader Shard(int rank, int worldSize);
}

/// <summary>Cuts each batch of a loader to one rank's rows.</summary>
public static class ShardedDataLoader
{
    /// <summary>First row and length of <paramref name="rank"/>'s part of a batch of <paramref name="batch"/> samples.</summary>
    public static (long Start, long Length) Range(long batch, int rank, int worldSize)
    {
        var start = batch * rank / worldSize;
        return (start, batch * (rank + 1) / worldSize - start);
    }

    /// <summary><paramref name="loader"/>'s own shard when it is an <see cref="IShardableDataLoader"/>, else a slicing wrapper; the loader itself for one rank.</summary>
    public static IDataLoader For(IDataLoader loader, int rank, int worldSize)
    {
        ArgumentNullException.ThrowIfNull(loader);
        if (worldSize == 1) return loader;
        if (loader is IShardableDataLoader shardable) return shardable.Shard(rank, worldSize);
        return new DelegateDataLoader(loader.BatchCount, epoch => Slice(loader.Batches(epoch), rank, worldSize, epoch));
    }

    private static IEnumerable<(Tensor Input, Tensor Target)> Slice(IEnumerable<(Tensor Input, Tensor Target)> batches, int rank, int worldSize, int epoch)
    {
        var b = 0;
        foreach (var (input, target) in batches)
        {
            var (start, length) = Range(input.shape[0], rank, worldSize);
            CheckNotEmpty(length, input.shape[0], worldSize, epoch, b++);
            yield return (input.narrow(0, start, length), target.narrow(0, start, length));
        }
    }

    /// <summary>Throws when a batch is too small to give every rank a sample.</summary>
    public static void CheckNotEmpty(long length, long batch, int worldSize, int epoch, int batchIndex)
    {
        if (length == 0)
            throw new ArgumentException(
                $"Batch {batchIndex} of epoch {epoch} has {batch} sample(s), fewer than the {worldSize} ranks: use a batch size of at least {worldSize} and drop a smaller last batch.");
    }
}

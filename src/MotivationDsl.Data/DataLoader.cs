using MotivationDsl.Training;
using MotivationDsl.Training.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Data;

/// <summary>One batch on the loader's device: float32 images B x C x H x W and int64 labels B (<see cref="DataLoader"/>), or int64 tokens B x T and their next tokens B x T (<see cref="TokenWindowLoader"/>). Dispose after use.</summary>
public readonly record struct Batch(Tensor Input, Tensor Target) : IDisposable
{
    public long Size => Target.shape[0];

    public void Dispose()
    {
        Input?.Dispose();
        Target?.Dispose();
    }
}

/// <summary>Per-channel normalisation: x = (x - mean[c]) / std[c], applied to [0, 1] pixel values.</summary>
public sealed record Normalization(float[] Mean, float[] Std)
{
    /// <summary>Fashion-MNIST training-set statistics.</summary>
    public static Normalization FashionMnist { get; } = new([0.2860f], [0.3530f]);
    /// <summary>MNIST training-set statistics.</summary>
    public static Normalization Mnist { get; } = new([0.1307f], [0.3081f]);
    /// <summary>CIFAR-10 training-set statistics.</summary>
    public static Normalization Cifar10 { get; } = new([0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f]);
    /// <summary>CIFAR-100 training-set statistics.</summary>
    public static Normalization Cifar100 { get; } = new([0.5071f, 0.4865f, 0.4409f], [0.2673f, 0.2564f, 0.2762f]);

    /// <summary>Computes the per-channel mean and (population) standard deviation of a dataset's [0, 1] pixels.</summary>
    public static Normalization FromDataset(ImageDataset data)
    {
        using var _ = torch.NewDisposeScope();
        var x = data.ImagesAsFloat();
        var mean = x.mean([0L, 2L, 3L]).data<float>().ToArray();
        var std = x.std([0L, 2L, 3L], unbiased: false).data<float>().ToArray();
        return new Normalization(mean, std);
    }
}

/// <summary>
/// Batch-wise, seeded augmentation on tensors: random crop after zero padding, and horizontal flip.
/// Random choices depend only on (seed, epoch, batch index).
/// </summary>
public sealed record Augmentation(int CropPadding = 0, bool HorizontalFlip = false, double FlipProbability = 0.5)
{
    /// <summary>The usual CIFAR recipe: pad 4 and random-crop back, flip half of the images.</summary>
    public static Augmentation CifarStandard { get; } = new(4, true);

    public bool IsIdentity => CropPadding == 0 && !HorizontalFlip;
}

/// <summary>Options of a <see cref="DataLoader"/>.</summary>
public sealed record DataLoaderOptions
{
    public int BatchSize { get; init; } = 128;
    /// <summary>Shuffle every epoch (deterministically from Seed and the epoch number).</summary>
    public bool Shuffle { get; init; } = true;
    public long Seed { get; init; }
    /// <summary>Drop the last, smaller batch of an epoch.</summary>
    public bool DropLast { get; init; }
    /// <summary>Applied after augmentation, to [0, 1] pixel values. Null: inputs stay in [0, 1] (uint8 data) or as stored (float data).</summary>
    public Normalization? Normalize { get; init; }
    /// <summary>Null or identity: none.</summary>
    public Augmentation? Augment { get; init; }
    /// <summary>Where batches go; null = CPU.</summary>
    public Device? Device { get; init; }
}

/// <summary>
/// Iterates an <see cref="ImageDataset"/> in batches. The order of epoch e is a permutation drawn from a SplitMix64
/// generator seeded with Seed * 1000003 + e, so it depends on nothing but (Seed, e): re-running an epoch, or
/// resuming at it, gives the same batches. Batches are gathered with index_select on the in-memory tensor;
/// augmentation and normalisation run on whole batches. It is the trainer's <see cref="IDataLoader"/>:
/// <c>trainer.Fit(trainLoader, testLoader, epochs)</c>.
/// </summary>
public sealed class DataLoader : IShardableDataLoader
{
    private readonly Tensor? _mean, _std;

    public ImageDataset Dataset { get; }
    public DataLoaderOptions Options { get; }

    public DataLoader(ImageDataset dataset, DataLoaderOptions? options = null)
    {
        Dataset = dataset;
        Options = options ?? new DataLoaderOptions();
        if (Options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be positive.");
        if (Options.Normalize is { } n)
        {
            if (n.Mean.Length != dataset.Channels || n.Std.Length != dataset.Channels)
                throw new ArgumentException($"Normalization has {n.Mean.Length} means and {n.Std.Length} stds for {dataset.Channels} channels.", nameof(options));
            if (n.Std.Any(s => s <= 0)) throw new ArgumentException("Normalization std must be positive.", nameof(options));
            _mean = torch.tensor(n.Mean).view(1, -1, 1, 1).DetachFromDisposeScope();
            _std = torch.tensor(n.Std).view(1, -1, 1, 1).DetachFromDisposeScope();
        }
        if (Options.Augment is { CropPadding: < 0 }) throw new ArgumentException("CropPadding must be >= 0.", nameof(options));
    }

    public DataLoader(ImageDataset dataset, int batchSize, bool shuffle = true, long seed = 0, bool dropLast = false,
                      Normalization? normalize = null, Augmentation? augment = null, Device? device = null)
        : this(dataset, new DataLoaderOptions
        {
            BatchSize = batchSize, Shuffle = shuffle, Seed = seed, DropLast = dropLast,
            Normalize = normalize, Augment = augment, Device = device,
        })
    { }

    /// <summary>Number of samples in the dataset.</summary>
    public long Count => Dataset.Count;

    /// <summary>Number of batches one epoch yields.</summary>
    public int BatchesPerEpoch => (int)(Options.DropLast ? Count / Options.BatchSize : (Count + Options.BatchSize - 1) / Options.BatchSize);

    /// <summary>Same as <see cref="BatchesPerEpoch"/> (the name the trainer's <see cref="IDataLoader"/> uses).</summary>
    public int BatchCount => BatchesPerEpoch;

    /// <summary>Number of samples one epoch yields (less than Count with DropLast).</summary>
    public long SamplesPerEpoch => Options.DropLast ? (long)BatchesPerEpoch * Options.BatchSize : Count;

    /// <summary>The sample order of an epoch (a permutation of 0..Count-1, or identity without shuffling).</summary>
    public long[] EpochOrder(int epoch)
    {
        int n = checked((int)Count);
        if (Options.Shuffle) return SeededRandom.ForEpoch(Options.Seed, epoch).Permutation(n);
        var order = new long[n];
        for (int i = 0; i < n; i++) order[i] = i;
        return order;
    }

    /// <summary>
    /// The batches of an epoch (any integer; the trainer counts from 0). Each batch is owned by the caller: dispose
    /// it, or enumerate inside a dispose scope (every tensor made while producing a batch is moved to the scope that
    /// is current when the enumerator advances, nothing else is left behind). <c>foreach (var (x, y) in ...)</c> works.
    /// </summary>
    public IEnumerable<Batch> Batches(int epoch)
    {
        var order = EpochOrder(epoch);
        int bs = Options.BatchSize;
        int batches = BatchesPerEpoch;
        for (int b = 0; b < batches; b++)
        {
            int start = b * bs;
            int len = Math.Min(bs, order.Length - start);
            yield return MakeBatch(order.AsSpan(start, len), epoch, b);
        }
    }

    /// <summary>The trainer's view of <see cref="Batches"/>: the same batches as (input, target) pairs, owned the same way.</summary>
    IEnumerable<(Tensor Input, Tensor Target)> IDataLoader.Batches(int epoch)
    {
        foreach (var batch in Batches(epoch)) yield return (batch.Input, batch.Target);
    }

    /// <summary>
    /// A data-parallel rank's part of every batch: only that part is gathered (not the whole batch), and each image is
    /// augmented as in the whole batch.
    /// </summary>
    public IDataLoader Shard(int rank, int worldSize) => new DelegateDataLoader(BatchCount, epoch => ShardBatches(epoch, rank, worldSize));

    private IEnumerable<(Tensor Input, Tensor Target)> ShardBatches(int epoch, int rank, int worldSize)
    {
        var order = EpochOrder(epoch);
        var size = Options.BatchSize;
        for (var b = 0; b < BatchCount; b++)
        {
            var start = b * size;
            var length = Math.Min(size, order.Length - start);
            var (offset, count) = ShardedDataLoader.Range(length, rank, worldSize);
            ShardedDataLoader.CheckNotEmpty(count, length, worldSize, epoch, b);
            var batch = MakeBatch(order.AsSpan(start + (int)offset, (int)count), epoch, b, (int)offset);
            yield return (batch.Input, batch.Target);
        }
    }

    /// <summary>Builds the batch of the given sample indices (epoch and batch index seed the augmentation).</summary>
    /// <param name="position">Where <paramref name="indices"/> start within their batch (a data-parallel rank's part of it): the
    /// augmentation draws of the images before them are skipped, so each image is augmented as in the whole batch.</param>
    public Batch MakeBatch(ReadOnlySpan<long> indices, int epoch, int batchIndex, int position = 0)
    {
        using var scope = torch.NewDisposeScope();
        var idx = torch.tensor(indices.ToArray(), ScalarType.Int64, device: Dataset.Images.device);
        var x = Dataset.Images.index_select(0, idx);
        x = x.dtype == ScalarType.Byte ? x.to_type(ScalarType.Float32).div_(255f) : x.to_type(ScalarType.Float32);
        var y = Dataset.Labels.index_select(0, idx);
        if (Options.Augment is { IsIdentity: false } aug)
            x = Augment(x, aug, SeededRandom.ForBatch(Options.Seed, epoch, batchIndex), position);
        if (_mean is not null) x = x.sub(_mean.to(x.device)).div_(_std!.to(x.device));
        if (Options.Device is { } d && (d.type != x.device.type || d.index != x.device.index))
        {
            x = x.to(d);
            y = y.to(d);
        }
        return new Batch(x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope());
    }

    /// <summary>Applies random crop (with zero padding) and horizontal flip to a float batch B x C x H x W.</summary>
    internal static Tensor Augment(Tensor x, Augmentation aug, SeededRandom rng, int skip = 0)
    {
        long B = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
        int p = aug.CropPadding;
        for (int i = 0; i < skip; i++)
        {
            rng.NextInt(2 * p + 1);
            rng.NextInt(2 * p + 1);
            rng.NextDouble();
        }
        var dy = new long[B];
        var dx = new long[B];
        var flip = new bool[B];
        for (int i = 0; i < B; i++)
        {
            // Fixed draw order per image so the stream does not depend on which options are on.
            dy[i] = rng.NextInt(2 * p + 1);
            dx[i] = rng.NextInt(2 * p + 1);
            flip[i] = rng.NextDouble() < aug.FlipProbability;
        }
        if (p > 0)
        {
            var padded = torch.nn.functional.pad(x, [p, p, p, p]);
            long Wp = W + 2 * p;
            var dev = x.device;
            var rows = torch.tensor(dy, device: dev).view(B, 1) + torch.arange(H, ScalarType.Int64, dev).view(1, H);   // B x H
            var cols = torch.tensor(dx, device: dev).view(B, 1) + torch.arange(W, ScalarType.Int64, dev).view(1, W);   // B x W
            var t = padded.gather(2, rows.view(B, 1, H, 1).expand(B, C, H, Wp));                    // B x C x H x Wp
            x = t.gather(3, cols.view(B, 1, 1, W).expand(B, C, H, W));                                // B x C x H x W
        }
        if (aug.HorizontalFlip)
        {
            var mask = torch.tensor(flip, device: x.device).view(B, 1, 1, 1);
            x = torch.where(mask, x.flip(3), x);
        }
        return x;
    }
}

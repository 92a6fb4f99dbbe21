using MotivationDsl.Training.Distributed;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotivationDsl.Distributed.Tests;

/// <summary>The pieces that need no second process.</summary>
public sealed class CommunicatorTests
{
    [Fact]
    public void WithoutMpirunTheWorldIsOneProcess()
    {
        Assert.Null(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE"));
        var world = Communicators.FromEnvironment();
        Assert.Equal(1, world.Size);
        Assert.Equal(0, world.Rank);
        Assert.IsType<SingleProcessCommunicator>(world);
    }

    [Fact]
    public void AMissingLibmpiNamesTheDebianPackages()
    {
        var e = Assert.Throws<DistributedUnavailableException>(() => OpenMpiNative.Load(["libmpi-that-does-not-exist.so.99"]));
        Assert.Contains("apt-get install openmpi-bin libopenmpi-dev", e.Message);
    }

    [Theory]
    [InlineData(16, 2)]
    [InlineData(17, 2)]
    [InlineData(7, 3)]
    [InlineData(128, 5)]
    public void ShardsOfABatchAreDisjointAndCoverIt(int batch, int ranks)
    {
        long next = 0;
        for (var r = 0; r < ranks; r++)
        {
            var (start, length) = ShardedDataLoader.Range(batch, r, ranks);
            Assert.Equal(next, start);
            Assert.InRange(length, batch / ranks, batch / ranks + 1);
            next = start + length;
        }
        Assert.Equal(batch, next);
    }

    [Fact]
    public void GradientsAreAllReducedOncePerBucketNotPerTensor()
    {
        using var model = nn.Sequential(nn.Linear(10, 20), nn.ReLU(), nn.Linear(20, 30), nn.Linear(30, 2));
        model.call(randn(4, 10)).sum().backward();
        var parameters = model.parameters().ToArray();
        var before = parameters.Select(p => p.grad!.clone()).ToArray();
        var world = new CountingWorld();
        // 4 KiB buckets: 10x20 + 20 floats (880 B) and 20x30 + 30 (2520 B) fit in one, 30x2 + 2 in the same: 3400 B.
        using var buckets = new GradientBuckets(world, bucketBytes: 4096);
        buckets.AllReduce(parameters, scale: 0.5);
        Assert.Equal(1, world.AllReduces);
        using var small = new GradientBuckets(world, bucketBytes: 1024);
        small.AllReduce(parameters, scale: 1);
        Assert.Equal(1 + 3, world.AllReduces); // [w1 b1] [w2] (a tensor over the cap gets its own bucket) [b2 w3 b3]
        Assert.Equal(3, small.BucketCount);
        // CountingWorld's "sum" doubles (a world of two identical ranks): 0.5 x 2 x 1 x 2 = 2 x the gradient.
        for (var i = 0; i < parameters.Length; i++)
            Assert.True(parameters[i].grad!.allclose(before[i] * 2), $"parameter {i}");
    }

    /// <summary>A world of two ranks holding the same data: a sum doubles.</summary>
    private sealed class CountingWorld : ICommunicator
    {
        public int AllReduces { get; private set; }
        public int Size => 2;
        public int Rank => 0;
        public string Description => "counting";
        public void AllReduceSum(Tensor buffer) { AllReduces++; buffer.mul_(2); }
        public void AllReduceSum(Span<double> values) { foreach (ref var v in values) v *= 2; }
        public void Broadcast(Tensor buffer, int root = 0) { }
        public void Barrier() { }
        public void Abort(int exitCode) => throw new InvalidOperationException();
        public void Dispose() { }
    }
}

/// <summary>A rank's part of a batch is the same images, augmented the same way, as in the whole batch.</summary>
public sealed class ShardedBatchTests
{
    [Fact]
    public void ShardsOfAnAugmentedBatchConcatenateToTheWholeBatch()
    {
        using var images = randint(0, 256, [40, 3, 8, 8]).to(ScalarType.Byte);
        using var labels = randint(0, 4, [40]);
        using var dataset = new MotivationDsl.Data.ImageDataset(images, labels, 4, "test");
        var loader = new MotivationDsl.Data.DataLoader(dataset, batchSize: 16, seed: 5, augment: new MotivationDsl.Data.Augmentation(2, true));
        var order = loader.EpochOrder(3);
        for (var b = 0; b < loader.BatchCount; b++)
        {
            var start = b * 16;
            var length = Math.Min(16, order.Length - start);
            using var whole = loader.MakeBatch(order.AsSpan(start, length), 3, b);
            var parts = new List<Tensor>();
            for (var r = 0; r < 3; r++)
            {
                var (offset, count) = ShardedDataLoader.Range(length, r, 3);
                using var part = loader.MakeBatch(order.AsSpan(start + (int)offset, (int)count), 3, b, (int)offset);
                parts.Add(part.Input.clone());
            }
            using var joined = cat(parts.ToArray());
            Assert.True(joined.eq(whole.Input).all().item<bool>(), $"batch {b}: the shards differ from the whole batch");
            foreach (var p in parts) p.Dispose();
        }
    }
}

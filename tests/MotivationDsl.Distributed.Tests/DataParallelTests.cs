using MotivationDsl.Training;
using MotivationDsl.Training.Checkpoints;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Distributed;
using MotivationDsl.Training.Optimizers;

namespace MotivationDsl.Distributed.Tests;

/// <summary>Data-parallel motivation training on 2 ranks of this machine (Open MPI, shared memory).</summary>
public sealed class DataParallelTests
{
    [MpiFact]
    public void TwoRanksOfHalfBatchesTrainWhatOneRankOfWholeBatchesTrains()
    {
        var one = Mpi.TempDir();
        var two = Mpi.TempDir();
        string[] args = ["train", "--batch", "16", "--epochs", "3"];
        var single = Mpi.Run(0, [.. args, "--out", one]);
        Assert.True(single.Exit == 0, single.Stdout + single.Stderr);
        var parallel = Mpi.Run(2, [.. args, "--out", two]);
        Assert.True(parallel.Exit == 0, parallel.Stdout + parallel.Stderr);

        var reference = Mpi.Result(one, 0);
        var rank0 = Mpi.Result(two, 0);
        Assert.Equal(2, rank0.size);
        Assert.Equal(18, reference.roles.Length); // 96 samples / 16 x 3 epochs
        // Through switches both ways (weights and momentum moved through the map).
        Assert.True(reference.switches >= 4, $"only {reference.switches} switches: {reference.roles}");
        Assert.Equal(reference.roles, rank0.roles);
        for (var i = 0; i < reference.losses.Length; i++)
            Assert.True(Math.Abs(reference.losses[i] - rank0.losses[i]) <= 1e-5 * Math.Abs(reference.losses[i]),
                $"step {i}: loss {rank0.losses[i]} on 2 ranks, {reference.losses[i]} on 1");
        var (diff, scale) = reference.Compare(rank0);
        Assert.True(diff <= 1e-5 * scale, $"weights differ by {diff:G3} (scale {scale:G3}) after {reference.roles.Length} steps");
    }

    [MpiFact]
    public void AFailingRankEndsTheJobWithAClearErrorAndTheLastCheckpointIntact()
    {
        var dir = Mpi.TempDir();
        var run = Mpi.Run(2, "train", "--bn", "--batch", "16", "--epochs", "3", "--out", dir, "--fail-rank", "1", "--fail-epoch", "1");
        Assert.NotEqual(0, run.Exit);
        Assert.Contains("error: rank 1 of 2: injected failure at the start of epoch 1", run.Stderr + run.Stdout);
        var checkpoints = CheckpointCallback.List(Path.Combine(dir, "checkpoints"));
        Assert.Single(checkpoints);
        // The checkpoint loads completely into a trainer of the same world size (every tensor and the header check).
        using var trainer = MotivationTrainer.Create(TinyNorm.Definition, Options(new FakeWorld(2)));
        trainer.LoadCheckpoint(checkpoints[0]);
        Assert.Equal(1, trainer.CompletedEpochs);
        Assert.Equal(6, trainer.GlobalStep);
    }

    [MpiFact]
    public void AResumedTwoRankRunEqualsAnUninterruptedOneAndEveryRankTakesTheSameSwitchDecisions()
    {
        var whole = Mpi.TempDir();
        var parts = Mpi.TempDir();
        var a = Mpi.Run(2, "train", "--bn", "--batch", "16", "--epochs", "3", "--out", whole);
        Assert.True(a.Exit == 0, a.Stdout + a.Stderr);
        var first = Mpi.Run(2, "train", "--bn", "--batch", "16", "--epochs", "1", "--out", parts);
        Assert.True(first.Exit == 0, first.Stdout + first.Stderr);
        var rest = Mpi.Run(2, "train", "--bn", "--batch", "16", "--epochs", "3", "--out", parts, "--resume");
        Assert.True(rest.Exit == 0, rest.Stdout + rest.Stderr);

        // Every rank took the same switch decisions and holds the same models (incl. the averaged BatchNorm statistics).
        var reference = Mpi.Result(whole, 0);
        var other = Mpi.Result(whole, 1);
        Assert.Contains('M', reference.roles);
        Assert.Equal(reference.roles, other.roles);
        Assert.Equal(reference.losses, other.losses);
        var (apart, size) = reference.Compare(other);
        Assert.True(apart <= 1e-6 * size, $"ranks hold models {apart:G3} apart (scale {size:G3})");
        Assert.True(reference.tensors.ContainsKey("base/bn1.running_mean"));
        // Only rank 0 wrote checkpoints (one per epoch), and they record the world size.
        var checkpoints = CheckpointCallback.List(Path.Combine(whole, "checkpoints"));
        Assert.Equal(3, checkpoints.Count);
        Assert.Equal(2, CheckpointFile.ReadHeader(checkpoints[^1])["worldSize"]!.GetValue<int>());

        var resumed = Mpi.Result(parts, 0);
        Assert.Equal(reference.roles[6..], resumed.roles);
        var (diff, scale) = reference.Compare(resumed);
        Assert.True(diff <= 1e-6 * scale, $"resumed run is {diff:G3} away (scale {scale:G3})");
    }

    [Fact]
    public void ACheckpointOfAnotherWorldSizeIsRefusedWithTheReason()
    {
        var dir = Mpi.TempDir();
        var path = Path.Combine(dir, "two.mdckpt");
        using (var writer = MotivationTrainer.Create(TinyNorm.Definition, Options(new FakeWorld(2)))) writer.SaveCheckpoint(path);
        using var single = MotivationTrainer.Create(TinyNorm.Definition, Options(null));
        var e = Assert.Throws<CheckpointMismatchException>(() => single.LoadCheckpoint(path));
        Assert.Contains("data-parallel run of 2 rank(s); this run has 1", e.Message);
        Assert.Contains("mpirun -np 2", e.Message);
    }

    private static TrainerOptions Options(ICommunicator? world) => new()
    {
        Optimizer = new SgdOptions(0.05, Momentum: 0.9, WeightDecay: 1e-4),
        Condition = new ConsecutiveDecrease(1),
        Seed = 3,
        Communicator = world,
    };
}

/// <summary>A world whose collectives are never called (loading and saving only).</summary>
internal sealed class FakeWorld(int size, int rank = 0) : ICommunicator
{
    public int Size => size;
    public int Rank => rank;
    public string Description => "fake";
    public void AllReduceSum(TorchSharp.torch.Tensor buffer) => throw new InvalidOperationException();
    public void AllReduceSum(Span<double> values) => throw new InvalidOperationException();
    public void Broadcast(TorchSharp.torch.Tensor buffer, int root = 0) => throw new InvalidOperationException();
    public void Barrier() => throw new InvalidOperationException();
    public void Abort(int exitCode) => throw new InvalidOperationException();
    public void Dispose() { }
}

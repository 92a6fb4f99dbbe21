using MotivationDsl.Training;
using MotivationDsl.Training.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Distributed.Tests;

/// <summary>How the mpi benchmark tells communication from waiting for a slower rank (docs/performance.md).</summary>
public sealed class CommunicationSplitTests
{
    [Fact]
    public void The_last_rank_to_arrive_spends_only_the_transfer_and_the_others_wait_for_it()
    {
        // Step 1: rank 1 arrives last (2 ms inside), rank 0 waited 8 ms; step 2 the other way round; step 3 balanced.
        var (transfer, waiting) = CommunicationSplit.Of([[0.010, 0.003, 0.005], [0.002, 0.007, 0.005]]);
        Assert.Equal(0.010, transfer, 12);
        Assert.Equal(0.008, waiting[0], 12);
        Assert.Equal(0.004, waiting[1], 12);
        Assert.Throws<ArgumentException>(() => CommunicationSplit.Of([[0.1, 0.2], [0.1]]));
    }

    [Fact]
    public void The_hook_records_its_time_inside_the_collectives_apart_from_its_local_work()
    {
        using var model = nn.Linear(64, 32);
        using var parallel = new DataParallel(new SlowWorld(TimeSpan.FromMilliseconds(30)));
        parallel.StepTimings = [];
        for (var step = 0; step < 2; step++)
        {
            using var scope = NewDisposeScope();
            var loss = model.call(randn(8, 64)).square().mean();
            loss.backward();
            var (_, samples) = parallel.AfterBackward(ModelRole.Base, model, loss, 8);
            Assert.Equal(16, samples);   // a world of two ranks with the same data
        }
        Assert.Equal(2, parallel.StepTimings.Count);
        foreach (var t in parallel.StepTimings)
        {
            Assert.True(t.CollectiveSeconds >= 0.058, $"{t.CollectiveSeconds} s inside the scalar and bucket all-reduces (2 x 30 ms)");
            Assert.True(t.LocalSeconds >= 0, $"local {t.LocalSeconds} s");   // its size depends on the machine's load: not compared
        }
        Assert.Equal(parallel.CommunicationSeconds, parallel.StepTimings.Sum(t => t.LocalSeconds + t.CollectiveSeconds), 9);
    }

    /// <summary>Two ranks holding the same data, each collective taking <paramref name="delay"/>.</summary>
    private sealed class SlowWorld(TimeSpan delay) : ICommunicator
    {
        public int Size => 2;
        public int Rank => 0;
        public string Description => "slow";
        public void AllReduceSum(Tensor buffer) { Thread.Sleep(delay); buffer.mul_(2); }
        public void AllReduceSum(Span<double> values) { Thread.Sleep(delay); foreach (ref var v in values) v *= 2; }
        public void Broadcast(Tensor buffer, int root = 0) { }
        public void Barrier() { }
        public void Abort(int exitCode) => throw new InvalidOperationException();
        public void Dispose() { }
    }
}

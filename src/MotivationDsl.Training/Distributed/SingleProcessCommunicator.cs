using static TorchSharp.torch;

namespace MotivationDsl.Training.Distributed;

/// <summary>A world of one process: every collective leaves the data as it is.</summary>
public sealed class SingleProcessCommunicator : ICommunicator
{
    public static SingleProcessCommunicator Instance { get; } = new();

    public int Size => 1;
    public int Rank => 0;
    public string Description => "single process";

    public void AllReduceSum(Tensor buffer) => Communicators.CheckBuffer(buffer);
    public void AllReduceSum(Span<double> values) { }
    public void Broadcast(Tensor buffer, int root = 0)
    {
        Communicators.CheckBuffer(buffer);
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), $"Rank {root} does not exist in a world of 1.");
    }
    public void Barrier() { }
    public void Abort(int exitCode) => Environment.Exit(exitCode);
    public void Dispose() { }
}

using static TorchSharp.torch;

namespace MotivationDsl.Training.Distributed;

/// <summary>
/// The processes of a data-parallel run: how many there are, which one this is, and the collective operations the
/// trainer needs. Every collective must be called by every rank in the same order with the same shapes.
/// </summary>
public interface ICommunicator : IDisposable
{
    /// <summary>Number of processes (1: a plain single-process run).</summary>
    int Size { get; }

    /// <summary>This process's index, 0 .. Size - 1. Rank 0 writes checkpoints, reports and exports.</summary>
    int Rank { get; }

    /// <summary>What runs the world, for the console ("single process", "Open MPI 4.1.4").</summary>
    string Description { get; }

    /// <summary>Element-wise sum over all ranks, in place, of a contiguous CPU tensor (float32, float64 or int64).</summary>
    void AllReduceSum(Tensor buffer);

    /// <summary>Element-wise sum over all ranks, in place.</summary>
    void AllReduceSum(Span<double> values);

    /// <summary>Copies rank <paramref name="root"/>'s contents of a contiguous CPU tensor into every rank's tensor.</summary>
    void Broadcast(Tensor buffer, int root = 0);

    /// <summary>Returns when every rank has called it.</summary>
    void Barrier();

    /// <summary>Ends every process of the world with <paramref name="exitCode"/> (after a failure that leaves the others waiting in a collective).</summary>
    void Abort(int exitCode);
}

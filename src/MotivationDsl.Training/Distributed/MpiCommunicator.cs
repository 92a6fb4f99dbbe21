using static TorchSharp.torch;

namespace MotivationDsl.Training.Distributed;

/// <summary>
/// MPI_COMM_WORLD of Open MPI (see <see cref="OpenMpiNative"/>). Construct once per process, after mpirun started it;
/// without mpirun the world has one process. Dispose finalizes MPI (call it on the success path only: after a failure
/// use <see cref="Abort"/>, since the other ranks may be waiting in a collective).
/// </summary>
public sealed unsafe class MpiCommunicator : ICommunicator
{
    private bool _disposed;

    /// <exception cref="DistributedUnavailableException">libmpi is missing; the message names the Debian package.</exception>
    public MpiCommunicator()
    {
        OpenMpiNative.Load();
        if (OpenMpiNative.Finalized()) throw new DistributedException("MPI was already finalized in this process; it cannot be started again.");
        if (!OpenMpiNative.Initialized())
        {
            var provided = OpenMpiNative.InitThread(OpenMpiNative.ThreadSerialized);
            if (provided < OpenMpiNative.ThreadSerialized)
                throw new DistributedException($"Open MPI provides thread level {provided}; the trainer needs MPI_THREAD_SERIALIZED (its collectives may run on a worker thread).");
        }
        Rank = OpenMpiNative.Rank();
        Size = OpenMpiNative.Size();
        Description = OpenMpiNative.LibraryVersion();
    }

    public int Size { get; }
    public int Rank { get; }
    public string Description { get; }

    public void AllReduceSum(Tensor buffer)
    {
        var type = Communicators.CheckBuffer(buffer) switch
        {
            ScalarType.Float32 => OpenMpiNative.Float,
            ScalarType.Float64 => OpenMpiNative.Double,
            _ => OpenMpiNative.Int64,
        };
        var elementSize = buffer.ElementSize;
        fixed (byte* p = buffer.bytes)
            for (long offset = 0; offset < buffer.NumberOfElements; offset += int.MaxValue)
                OpenMpiNative.AllReduceSumInPlace(p + offset * elementSize, (int)Math.Min(int.MaxValue, buffer.NumberOfElements - offset), type);
    }

    public void AllReduceSum(Span<double> values)
    {
        fixed (double* p = values) OpenMpiNative.AllReduceSumInPlace(p, values.Length, OpenMpiNative.Double);
    }

    public void Broadcast(Tensor buffer, int root = 0)
    {
        Communicators.CheckBuffer(buffer, anyType: true);
        if (root < 0 || root >= Size) throw new ArgumentOutOfRangeException(nameof(root), $"Rank {root} does not exist in a world of {Size}.");
        var span = buffer.bytes;
        fixed (byte* p = span)
            for (long offset = 0; offset < span.Length; offset += int.MaxValue)
                OpenMpiNative.Broadcast(p + offset, (int)Math.Min(int.MaxValue, span.Length - offset), OpenMpiNative.Byte, root);
    }

    public void Barrier() => OpenMpiNative.Barrier();

    public void Abort(int exitCode) => OpenMpiNative.Abort(exitCode);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!OpenMpiNative.Finalized()) OpenMpiNative.FinalizeMpi();
    }
}

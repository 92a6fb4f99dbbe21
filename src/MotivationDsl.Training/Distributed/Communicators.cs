using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Training.Distributed;

/// <summary>Finds the world this process was started in.</summary>
public static class Communicators
{
    /// <summary>True when an Open MPI launcher (mpirun, mpiexec) started this process with more than one rank.</summary>
    public static bool LaunchedByOpenMpi(out int size) =>
        int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE"), out size) && size > 1;

    /// <summary>
    /// An <see cref="MpiCommunicator"/> when mpirun started this process with more than one rank, or when
    /// <paramref name="force"/> (the CLI's <c>--distributed</c>); otherwise the <see cref="SingleProcessCommunicator"/>.
    /// </summary>
    /// <exception cref="DistributedUnavailableException">MPI is needed but libmpi is missing, or another MPI launched the process.</exception>
    public static ICommunicator FromEnvironment(bool force = false)
    {
        if (LaunchedByOpenMpi(out _) || force) return new MpiCommunicator();
        if (int.TryParse(Environment.GetEnvironmentVariable("PMI_SIZE"), out var pmi) && pmi > 1)
            throw new DistributedUnavailableException(
                $"This process was started by a PMI launcher with {pmi} ranks (MPICH or Intel MPI?); the binding supports Open MPI only: install '{OpenMpiNative.DebianPackages}' and start with its mpirun.");
        return SingleProcessCommunicator.Instance;
    }

    internal static ScalarType CheckBuffer(Tensor buffer, bool anyType = false)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.device_type != DeviceType.CPU) throw new ArgumentException("Collectives take CPU tensors (stage device tensors through host memory).", nameof(buffer));
        if (!buffer.is_contiguous()) throw new ArgumentException("Collectives take contiguous tensors.", nameof(buffer));
        var type = buffer.dtype;
        if (!anyType && type is not (ScalarType.Float32 or ScalarType.Float64 or ScalarType.Int64))
            throw new ArgumentException($"All-reduce supports float32, float64 and int64 tensors, not {type}.", nameof(buffer));
        return type;
    }
}

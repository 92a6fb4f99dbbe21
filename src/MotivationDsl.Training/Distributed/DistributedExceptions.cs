namespace MotivationDsl.Training.Distributed;

/// <summary>A collective failed, or the ranks disagree where they must agree.</summary>
public class DistributedException(string message) : Exception(message);

/// <summary>A distributed run was asked for but cannot start here (no MPI library, another MPI, ...); the message says what to install or change.</summary>
public sealed class DistributedUnavailableException(string message) : DistributedException(message);

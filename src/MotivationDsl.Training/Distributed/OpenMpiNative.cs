using System.Runtime.InteropServices;

namespace MotivationDsl.Training.Distributed;

/// <summary>
/// The only place that calls Open MPI: a thin binding of libmpi.so.40 (Open MPI 4.x/5.x). Open MPI's handles are the
/// addresses of exported globals (<c>ompi_mpi_comm_world</c>, <c>ompi_mpi_float</c>, <c>ompi_mpi_op_sum</c>, ...), so
/// every handle is an <see cref="IntPtr"/> read with <see cref="NativeLibrary.GetExport"/>. (MPI.NET P/Invokes
/// Microsoft MPI's integer handles and crashes against libmpi.)
/// </summary>
internal static unsafe class OpenMpiNative
{
    public const string DebianPackages = "openmpi-bin libopenmpi-dev";
    private static readonly string[] LibraryNames = ["libmpi.so.40", "libmpi.so"];

    /// <summary>MPI_IN_PLACE in Open MPI.</summary>
    public static readonly IntPtr InPlace = 1;

    public const int ThreadSerialized = 2;
    public const int Success = 0;

    private static IntPtr _lib;
    public static IntPtr CommWorld, Float, Double, Int64, Byte, OpSum;
    private static delegate* unmanaged<IntPtr, IntPtr, int, int*, int> _initThread;
    private static delegate* unmanaged<int*, int> _initialized;
    private static delegate* unmanaged<int*, int> _finalized;
    private static delegate* unmanaged<int> _finalize;
    private static delegate* unmanaged<IntPtr, int*, int> _commRank;
    private static delegate* unmanaged<IntPtr, int*, int> _commSize;
    private static delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, IntPtr, int> _allreduce;
    private static delegate* unmanaged<IntPtr, int, IntPtr, int, IntPtr, int> _bcast;
    private static delegate* unmanaged<IntPtr, int> _barrier;
    private static delegate* unmanaged<IntPtr, int, int> _abort;
    private static delegate* unmanaged<byte*, int*, int> _getLibraryVersion;

    /// <summary>Loads libmpi and resolves every symbol; throws <see cref="DistributedUnavailableException"/> naming the package when it is missing.</summary>
    public static void Load() => Load(LibraryNames);

    internal static void Load(IReadOnlyList<string> libraryNames)
    {
        if (_lib != IntPtr.Zero) return;
        var lib = IntPtr.Zero;
        foreach (var name in libraryNames)
            if (NativeLibrary.TryLoad(name, out lib)) break;
        if (lib == IntPtr.Zero)
            throw new DistributedUnavailableException(
                $"Open MPI's library (libmpi.so.40) was not found: install it with 'apt-get install {DebianPackages}' (Debian/Ubuntu), then start the ranks with mpirun.");
        IntPtr Export(string symbol) => NativeLibrary.TryGetExport(lib, symbol, out var address) ? address
            : throw new DistributedUnavailableException($"The loaded libmpi has no '{symbol}': it is not Open MPI 4 or later (install '{DebianPackages}').");
        CommWorld = Export("ompi_mpi_comm_world");
        Float = Export("ompi_mpi_float");
        Double = Export("ompi_mpi_double");
        Int64 = Export("ompi_mpi_int64_t");
        Byte = Export("ompi_mpi_byte");
        OpSum = Export("ompi_mpi_op_sum");
        _initThread = (delegate* unmanaged<IntPtr, IntPtr, int, int*, int>)Export("MPI_Init_thread");
        _initialized = (delegate* unmanaged<int*, int>)Export("MPI_Initialized");
        _finalized = (delegate* unmanaged<int*, int>)Export("MPI_Finalized");
        _finalize = (delegate* unmanaged<int>)Export("MPI_Finalize");
        _commRank = (delegate* unmanaged<IntPtr, int*, int>)Export("MPI_Comm_rank");
        _commSize = (delegate* unmanaged<IntPtr, int*, int>)Export("MPI_Comm_size");
        _allreduce = (delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, IntPtr, int>)Export("MPI_Allreduce");
        _bcast = (delegate* unmanaged<IntPtr, int, IntPtr, int, IntPtr, int>)Export("MPI_Bcast");
        _barrier = (delegate* unmanaged<IntPtr, int>)Export("MPI_Barrier");
        _abort = (delegate* unmanaged<IntPtr, int, int>)Export("MPI_Abort");
        _getLibraryVersion = (delegate* unmanaged<byte*, int*, int>)Export("MPI_Get_library_version");
        _lib = lib;
    }

    public static bool Initialized() { int flag; Check(_initialized(&flag), "MPI_Initialized"); return flag != 0; }
    public static bool Finalized() { int flag; Check(_finalized(&flag), "MPI_Finalized"); return flag != 0; }

    public static int InitThread(int required)
    {
        int provided;
        Check(_initThread(IntPtr.Zero, IntPtr.Zero, required, &provided), "MPI_Init_thread");
        return provided;
    }

    public static void FinalizeMpi() => Check(_finalize(), "MPI_Finalize");
    public static int Rank() { int r; Check(_commRank(CommWorld, &r), "MPI_Comm_rank"); return r; }
    public static int Size() { int s; Check(_commSize(CommWorld, &s), "MPI_Comm_size"); return s; }
    public static void AllReduceSumInPlace(void* data, int count, IntPtr type) =>
        Check(_allreduce(InPlace, (IntPtr)data, count, type, OpSum, CommWorld), "MPI_Allreduce");
    public static void Broadcast(void* data, int count, IntPtr type, int root) =>
        Check(_bcast((IntPtr)data, count, type, root, CommWorld), "MPI_Bcast");
    public static void Barrier() => Check(_barrier(CommWorld), "MPI_Barrier");
    public static void Abort(int code) => _abort(CommWorld, code);

    public static string LibraryVersion()
    {
        var buffer = stackalloc byte[256]; // MPI_MAX_LIBRARY_VERSION_STRING is 256 in Open MPI
        int length;
        Check(_getLibraryVersion(buffer, &length), "MPI_Get_library_version");
        var text = Marshal.PtrToStringUTF8((IntPtr)buffer, Math.Clamp(length, 0, 256)).TrimEnd('\0', '\n');
        var comma = text.IndexOf(',');
        return comma > 0 ? text[..comma] : text;
    }

    private static void Check(int code, string call)
    {
        // The default error handler (MPI_ERRORS_ARE_FATAL) aborts before returning an error; this covers a changed handler.
        if (code != Success) throw new DistributedException($"{call} failed with MPI error {code}.");
    }
}

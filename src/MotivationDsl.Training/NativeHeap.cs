using System.Runtime.InteropServices;

namespace MotivationDsl.Training;

/// <summary>The state of the process's C heap as <see cref="NativeHeap"/> left it.</summary>
public enum NativeHeapState
{
    /// <summary>Untouched: the C library's defaults.</summary>
    System,

    /// <summary>glibc set to keep freed memory (<see cref="NativeHeap.Retain"/> succeeded).</summary>
    Retaining,

    /// <summary>Not glibc (another OS or C library): nothing to set; the C library's defaults stay.</summary>
    Unsupported,

    /// <summary>glibc refused the mmap threshold (it lowers its maximum under <c>glibc.malloc.hugetlb</c>); its defaults stay.</summary>
    Refused,
}

/// <summary>
/// Makes glibc's malloc keep freed CPU tensor memory instead of returning it to the kernel. By default glibc serves a
/// block over its dynamic mmap threshold (128 KiB, rising to at most 32 MiB) with a fresh mmap that free unmaps, and
/// trims a heap's free top above twice that threshold, so memory a training step frees and allocates again may be
/// faulted in (and zeroed by the kernel) again. Measured on ResNet-20 (docs/performance.md, "Native heap"): the retained
/// heap removes those page faults, but glibc's dynamic threshold settles within the first steps, and a long-lived
/// training loop is not measurably faster (0.989 [0.970, 1.008]); hence opt-in (<see cref="NativeHeapPolicy.Retain"/>).
/// PyTorch users get the same effect by preloading jemalloc or tcmalloc. Process-wide, like <c>torch.set_num_threads</c>;
/// it changes where memory comes from, never a value.
/// </summary>
public static unsafe class NativeHeap
{
    /// <summary>Blocks up to this size come from the heap (glibc's largest accepted M_MMAP_THRESHOLD on 64-bit: HEAP_MAX_SIZE / 2).</summary>
    public const int MmapThresholdBytes = 32 << 20;

    /// <summary>Free memory at the top of a heap is kept up to this size (M_TRIM_THRESHOLD).</summary>
    public const int TrimThresholdBytes = 1 << 30;

    /// <summary>The same settings as a <c>GLIBC_TUNABLES</c> value, for another process (e.g. PyTorch, to compare like with like).</summary>
    public static readonly string GlibcTunables = $"glibc.malloc.mmap_threshold={MmapThresholdBytes}:glibc.malloc.trim_threshold={TrimThresholdBytes}";

    // glibc's malloc.h
    private const int MTrimThreshold = -1;
    private const int MMmapThreshold = -3;

    private static readonly object Gate = new();

    /// <summary>What <see cref="Retain"/> has done so far in this process.</summary>
    public static NativeHeapState State { get; private set; } = NativeHeapState.System;

    /// <summary>The C library that was set, e.g. "glibc 2.36" (null until <see cref="Retain"/> ran).</summary>
    public static string? Library { get; private set; }

    /// <summary>
    /// Sets glibc's M_MMAP_THRESHOLD to <see cref="MmapThresholdBytes"/> and M_TRIM_THRESHOLD to
    /// <see cref="TrimThresholdBytes"/> (once per process; later calls return the state). Returns
    /// <see cref="NativeHeapState.Unsupported"/> where the C library is not glibc and <see cref="NativeHeapState.Refused"/>
    /// when glibc refuses the threshold (then nothing is set: the trim threshold alone would disable glibc's dynamic
    /// mmap threshold and make every large block an mmap).
    /// </summary>
    public static NativeHeapState Retain()
    {
        lock (Gate)
        {
            if (State != NativeHeapState.System) return State;
            if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libc.so.6", out var libc)
                || !NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out var version)
                || !NativeLibrary.TryGetExport(libc, "mallopt", out var mallopt))
                return State = NativeHeapState.Unsupported;
            Library = "glibc " + Marshal.PtrToStringUTF8(((delegate* unmanaged<IntPtr>)version)());
            var set = (delegate* unmanaged<int, int, int>)mallopt;
            // mallopt returns 1 on success, 0 when the value is refused.
            if (set(MMmapThreshold, MmapThresholdBytes) != 1) return State = NativeHeapState.Refused;
            set(MTrimThreshold, TrimThresholdBytes);   // glibc accepts any trim threshold
            return State = NativeHeapState.Retaining;
        }
    }
}

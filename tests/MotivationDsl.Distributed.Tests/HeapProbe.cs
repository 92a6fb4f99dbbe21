using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using MotivationDsl.Training;
using MotivationDsl.Training.Optimizers;

namespace MotivationDsl.Distributed.Tests;

/// <summary>
/// <c>heap-probe retain|system</c>: in a fresh process, creates a trainer with that <see cref="TrainerOptions.NativeHeap"/>,
/// then on the main thread (glibc's main arena) allocates a training-step-like working set — 8 blocks of 12 MiB, each
/// under glibc's largest mmap threshold, 96 MiB together, over glibc's largest default trim threshold (64 MiB) — touches
/// every page, frees it all, and repeats; prints the heap state and this thread's minor page faults per cycle.
/// </summary>
internal static unsafe class HeapProbe
{
    public const int Blocks = 8;
    public const int BlockBytes = 12 << 20;
    public const int Cycles = 5;
    public const int PagesPerCycle = Blocks * (BlockBytes / 4096);

    public static int Run(string policy)
    {
        var heap = policy switch
        {
            "retain" => NativeHeapPolicy.Retain,
            "system" => NativeHeapPolicy.System,
            _ => throw new ArgumentException($"heap-probe: unknown policy '{policy}' (retain or system)"),
        };
        using (MotivationTrainer.Create(TinyNoNorm.Definition, new TrainerOptions { Optimizer = new SgdOptions(0.1), NativeHeap = heap })) { }
        var faults = new long[Cycles];
        var blocks = new byte*[Blocks];
        for (var c = 0; c < Cycles; c++)
        {
            var before = ThreadMinorFaults();
            for (var i = 0; i < Blocks; i++)
            {
                blocks[i] = (byte*)NativeMemory.Alloc(BlockBytes);   // malloc
                for (var offset = 0; offset < BlockBytes; offset += 4096) blocks[i][offset] = 1;
            }
            for (var i = 0; i < Blocks; i++) NativeMemory.Free(blocks[i]);
            faults[c] = ThreadMinorFaults() - before;
        }
        Console.WriteLine(JsonSerializer.Serialize(new { state = NativeHeap.State.ToString(), library = NativeHeap.Library, faults }));
        return 0;
    }

    /// <summary>Minor page faults of the calling thread (<c>/proc/thread-self/stat</c> field 10).</summary>
    private static long ThreadMinorFaults()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7], CultureInfo.InvariantCulture);
    }
}

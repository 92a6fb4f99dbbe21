namespace MotivationDsl.Training;

/// <summary>What the trainer does with the C heap LibTorch allocates CPU tensors from (<see cref="TrainerOptions.NativeHeap"/>).</summary>
public enum NativeHeapPolicy
{
    /// <summary>Leave the C library's defaults untouched. The default: a retained heap gains no measurable step time in a long run (docs/performance.md, "Native heap").</summary>
    System,

    /// <summary>
    /// Keep freed tensor memory in the process for the next step (<see cref="NativeHeap.Retain"/>): no page faults for
    /// memory a step frees and allocates again. The training is the same, bitwise.
    /// </summary>
    Retain,
}

namespace MotivationDsl.Training;

/// <summary>What the trainer does with the C heap LibTorch allocates CPU tensors from (<see cref="TrainerOptions.NativeHeap"/>).</summary>
public enum NativeHeapPolicy
{
    /// <summary>
    /// Keep freed tensor memory in the process for the next step (<see cref="NativeHeap.Retain"/>): a training step
    /// allocates the same activations and gradients every time, so returning them to the kernel only to fault them in
    /// again (zeroed) costs system time. The default; the training is the same, bitwise.
    /// </summary>
    Retain,

    /// <summary>Leave the C library's defaults untouched (glibc returns large freed blocks to the kernel).</summary>
    System,
}

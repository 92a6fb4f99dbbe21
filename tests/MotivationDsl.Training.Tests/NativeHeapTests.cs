using MotivationDsl.Training.Optimizers;

namespace MotivationDsl.Training.Tests;

/// <summary>
/// <see cref="NativeHeap"/> in the test process (whose heap stays retained once a trainer retained it). What the setting does
/// to page faults is checked in fresh processes: MotivationDsl.Distributed.Tests' NativeHeapTests.
/// </summary>
public sealed class NativeHeapTests
{
    [Fact]
    public void A_CPU_trainer_asked_to_retain_the_heap_sets_glibc_once_and_says_which_library()
    {
        Assert.Equal(NativeHeapPolicy.System, new TrainerOptions { Optimizer = new SgdOptions(0.1) }.NativeHeap);   // measured: no gain (docs/performance.md)
        using var trainer = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions { Optimizer = new SgdOptions(0.1), NativeHeap = NativeHeapPolicy.Retain });
        if (!OperatingSystem.IsLinux())
        {
            Assert.Equal(NativeHeapState.Unsupported, NativeHeap.State);
            return;
        }
        Assert.Equal(NativeHeapState.Retaining, NativeHeap.State);
        Assert.Matches(@"^glibc \d+\.\d+", NativeHeap.Library);
        Assert.Equal(NativeHeapState.Retaining, NativeHeap.Retain());   // once per process; later calls report the state
    }
}

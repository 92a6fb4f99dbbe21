using MotivationDsl.Training.Optimizers;

namespace MotivationDsl.Training.Tests;

/// <summary>
/// <see cref="NativeHeap"/> in the test process (whose heap stays retained once any trainer ran). What the setting does
/// to page faults is checked in fresh processes: MotivationDsl.Distributed.Tests' NativeHeapTests.
/// </summary>
public sealed class NativeHeapTests
{
    [Fact]
    public void A_CPU_trainer_retains_the_heap_by_default_and_says_which_C_library_it_set()
    {
        Assert.Equal(NativeHeapPolicy.Retain, new TrainerOptions { Optimizer = new SgdOptions(0.1) }.NativeHeap);
        using var trainer = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions { Optimizer = new SgdOptions(0.1) });
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

using System.Text.Json;
using MotivationDsl.Training;

namespace MotivationDsl.Distributed.Tests;

/// <summary>
/// <see cref="TrainerOptions.NativeHeap"/> in fresh processes (the setting is process-wide, so it cannot be undone inside
/// the test process): a working set freed and allocated again, as every training step does, faults its pages in again
/// under glibc's defaults and does not with the retained heap. Here because this assembly is the executable tests start.
/// </summary>
public sealed class NativeHeapTests
{
    private sealed record Probe(string state, string? library, long[] faults);

    private static Probe Run(string policy)
    {
        var (exit, stdout, stderr) = Mpi.Run(0, "heap-probe", policy);
        Assert.True(exit == 0, $"heap-probe {policy} exited {exit}: {stdout}\n{stderr}");
        return JsonSerializer.Deserialize<Probe>(stdout.Split('\n').Last(l => l.StartsWith('{')))!;
    }

    [Fact]
    public void A_retained_heap_serves_a_freed_working_set_again_without_page_faults()
    {
        if (!OperatingSystem.IsLinux()) return;   // glibc only; elsewhere NativeHeap.Retain reports Unsupported
        var probe = Run("retain");
        Assert.Equal(nameof(NativeHeapState.Retaining), probe.state);
        Assert.StartsWith("glibc ", probe.library);
        Assert.True(probe.faults[0] >= HeapProbe.PagesPerCycle / 2, $"the first cycle must fault its pages in (else the probe measures nothing): {string.Join(", ", probe.faults)}");
        foreach (var f in probe.faults.Skip(2))
            Assert.True(f < HeapProbe.PagesPerCycle / 20, $"later cycles reuse the retained memory: faults per cycle {string.Join(", ", probe.faults)} of {HeapProbe.PagesPerCycle} pages");
    }

    [Fact]
    public void Glibcs_defaults_fault_the_working_set_in_again_every_cycle()
    {
        if (!OperatingSystem.IsLinux()) return;
        var probe = Run("system");
        Assert.Equal(nameof(NativeHeapState.System), probe.state);
        foreach (var f in probe.faults.Skip(2))
            Assert.True(f >= HeapProbe.PagesPerCycle / 2, $"with glibc's defaults (trim threshold at most 64 MiB) the 96 MiB are returned and faulted in again: {string.Join(", ", probe.faults)} of {HeapProbe.PagesPerCycle} pages");
    }
}

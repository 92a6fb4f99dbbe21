using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using System.Text.Json.Nodes;
using MotivationDsl.Training;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using static TorchSharp.torch;

namespace MotivationDsl.Benchmarks;

/// <summary>
/// BenchmarkDotNet micro benchmarks of what a switch does, ResNet-20 -> ResNet-32 with SGD momentum state:
/// the weights/buffers copy through the bound map, the optimizer-state transfer (the per-call RegionView path the
/// trainer used before, and the trainer's precomputed plan), and whole round trips in copy and zero-copy mode.
/// </summary>
[MemoryDiagnoser]
public class SwitchMicro
{
    private MotivationTrainer _copy = null!;
    private MotivationTrainer _zero = null!;

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(Program.Threads);
        TrainerOptions O(bool z) => new() { Optimizer = OptimizerOptions.PaperSgd(0.1), Condition = new Never(), Seed = 1, ZeroCopy = z };
        _copy = MotivationTrainer.Create(Workloads.ResNet, O(false));
        _zero = MotivationTrainer.Create(Workloads.ResNet, O(true));
    }

    [GlobalCleanup]
    public void Cleanup() { _copy.Dispose(); _zero.Dispose(); }

    [Benchmark(Description = "map copy base->motivated (weights+buffers)")]
    public void MapCopy() => _copy.Pair.Map.CopyBaseToMotivated();

    [Benchmark(Description = "map copy, one copy_ per entry (before the chunked plan)")]
    public void MapCopyPerEntry()
    {
        using var _ = no_grad();
        foreach (var e in _copy.Pair.Map.Entries) e.MotivatedRegion.copy_(e.Base);
    }

    [Benchmark(Description = "optimizer state: BoundWeightsMap.Transfer (per-call views, the pre-plan path)")]
    public void StateTransferLegacy()
    {
        var b = _copy.BaseOptimizer; var m = _copy.MotivatedOptimizer;
        foreach (var name in b.StateNames)
            _copy.Pair.Map.Transfer(MapDirection.BaseToMotivated,
                n => b.HasParameter(n) ? b.GetState(n, name) : null, n => m.HasParameter(n) ? m.GetState(n, name) : null);
    }

    [Benchmark(Description = "round trip, copy mode (trainer)")]
    public void RoundTripCopy() { _copy.SwitchToMotivated(); _copy.SwitchToBase(); }

    [Benchmark(Description = "round trip, zero-copy mode (trainer)")]
    public void RoundTripZeroCopy() { _zero.SwitchToMotivated(); _zero.SwitchToBase(); }
}

internal static class Micro
{
    public static IEnumerable<Figure> Run(Config c)
    {
        var job = (c.Quick ? Job.ShortRun.WithIterationCount(3).WithWarmupCount(2) : Job.ShortRun)
            .WithToolchain(InProcessEmitToolchain.Instance).WithId("inprocess");
        var config = ManualConfig.CreateMinimumViable().AddJob(job)
            .WithArtifactsPath(Path.Combine(c.Root, "artifacts", "benchmarks", "bdn"))
            .WithOptions(ConfigOptions.DisableLogFile);
        var summary = BenchmarkRunner.Run<SwitchMicro>(config);
        foreach (var report in summary.Reports)
        {
            var s = report.ResultStatistics;
            if (s is null) continue;
            yield return new Figure
            {
                Name = "micro: " + report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\''),
                Value = new Spread(s.Min / 1e3, s.Median / 1e3, s.Max / 1e3, s.N), Unit = "us", Format = "F1",
                Details = new JsonObject
                {
                    ["tool"] = "BenchmarkDotNet ShortRun, in-process toolchain", ["meanUs"] = s.Mean / 1e3, ["stdDevUs"] = s.StandardDeviation / 1e3,
                    ["allocatedBytes"] = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase),
                },
            };
        }
    }
}

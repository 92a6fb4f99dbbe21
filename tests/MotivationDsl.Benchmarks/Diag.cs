using System.Diagnostics;
using MotivationDsl.Training;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using static TorchSharp.torch;

namespace MotivationDsl.Benchmarks;

/// <summary><c>diag</c>: stopwatch sections of a copy-mode switch (per entry, per thread count), for profiling.</summary>
internal static class Diag
{
    public static int Run()
    {
        using var t = MotivationTrainer.Create(Workloads.ResNet, new TrainerOptions { Optimizer = OptimizerOptions.PaperSgd(0.1), Condition = new Never(), Seed = 1 });
        var map = t.Pair.Map;
        foreach (var threads in new[] { Program.Threads, 1, Program.Threads })
        {
            set_num_threads(threads);
            for (var i = 0; i < 3; i++) map.CopyBaseToMotivated();
            var per = new double[map.Entries.Count];
            var total = Stopwatch.StartNew();
            const int reps = 20;
            using (no_grad())
                for (var r = 0; r < reps; r++)
                    for (var i = 0; i < per.Length; i++)
                    {
                        var e = map.Entries[i];
                        var t0 = Stopwatch.GetTimestamp();
                        e.MotivatedRegion.copy_(e.Base);
                        per[i] += Stopwatch.GetElapsedTime(t0).TotalMilliseconds / reps;
                    }
            Console.WriteLine($"threads {threads}: copy of {per.Length} entries {total.Elapsed.TotalMilliseconds / reps:F2} ms per pass");
            foreach (var (ms, i) in per.Select((ms, i) => (ms, i)).OrderByDescending(x => x.ms).Take(4))
                Console.WriteLine($"   {ms:F3} ms  {map.Entries[i].Entry.BaseName} numel {map.Entries[i].Base.numel()}");
            Console.WriteLine($"   median entry {per.Order().ElementAt(per.Length / 2):F4} ms");
            var planned = Stopwatch.StartNew();
            for (var r = 0; r < reps; r++) map.CopyBaseToMotivated();
            Console.WriteLine($"   BoundWeightsMap.Copy (chunked plan): {planned.Elapsed.TotalMilliseconds / reps:F2} ms per pass");
            var rt = Stopwatch.StartNew();
            for (var r = 0; r < reps; r++) { t.SwitchToMotivated(); t.SwitchToBase(); }
            Console.WriteLine($"   trainer round trip (copy mode): {rt.Elapsed.TotalMilliseconds / reps:F2} ms");
        }
        return 0;
    }
}

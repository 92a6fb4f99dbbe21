using System.Text.Json.Nodes;
using MotivationDsl.Training;

namespace MotivationDsl.Benchmarks;

/// <summary>
/// Group <c>heap</c>: the trainer's ResNet-20 step (batch 128, the machine's default layout) with the C heap retaining
/// freed memory (<see cref="NativeHeapPolicy.Retain"/>) against glibc's defaults (<see cref="NativeHeapPolicy.System"/>, the default).
/// The setting is process-wide, so each arm is a long-lived child process (<see cref="ServedChild"/>); paired rounds in
/// rotating order. Also each arm's minor page faults per step. Decides <see cref="TrainerOptions.NativeHeap"/>'s default.
/// </summary>
internal static class HeapBench
{
    public static IEnumerable<Figure> Run(Config c)
    {
        var steps = c.Quick ? 4 : 10;
        var format = MemoryFormatDefaults.For(Workloads.ResNet) == MemoryFormat.ChannelsLast ? "channels-last" : "nchw";
        var arg = steps.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var retained = new List<JsonObject>();
        var system = new List<JsonObject>();
        using var retain = new ServedChild(ranks: 0, c.Threads, "child-step-serve", arg, "--native-heap", "retain", "--memory-format", format);
        using var glibc = new ServedChild(ranks: 0, c.Threads, "child-step-serve", arg, "--native-heap", "system", "--memory-format", format);
        retain.Pass();   // warm-up pass of each, not recorded
        glibc.Pass();
        var rounds = new PairedRounds(
        [
            ("retain", () => retain.Pass(retained)),
            ("system", () => glibc.Pass(system)),
        ]);
        var plan = c.Plan();
        rounds.Run(plan, r => [r.Ratio("retain", "system")],
            (i, s) => Console.Error.WriteLine($"  heap round {i + 1} (max {plan.MaxRounds}): retain {s[0] / steps:F3} s/step ({FaultsPerStep(retained[^1], steps):F0} faults/step), "
                + $"system {s[1] / steps:F3} s/step ({FaultsPerStep(system[^1], steps):F0} faults/step)  load {Machine.LoadAverage()[0]:F1}"));
        var details = new JsonObject
        {
            ["model"] = "ResNet-20 (examples/ResNetCifar), base only, condition never", ["batch"] = c.Batch, ["stepsPerPass"] = steps,
            ["memoryFormat"] = format, ["threads"] = c.Threads, ["retainSettings"] = NativeHeap.GlibcTunables,
            ["retainArmHeap"] = retained[0]["nativeHeap"]?.GetValue<string>(), ["systemArmHeap"] = system[0]["nativeHeap"]?.GetValue<string>(),
            ["retainSecondsPerStep"] = Spread.Of(rounds.Seconds("retain").Select(x => x / steps)).Json(),
            ["systemSecondsPerStep"] = Spread.Of(rounds.Seconds("system").Select(x => x / steps)).Json(),
            ["retainMinorFaultsPerStep"] = Spread.Of(retained.Select(j => FaultsPerStep(j, steps))).Json(),
            ["systemMinorFaultsPerStep"] = Spread.Of(system.Select(j => FaultsPerStep(j, steps))).Json(),
            ["plan"] = $"paired rounds of long-lived children: min {plan.MinRounds}, max {plan.MaxRounds}, stop at +-{plan.TargetHalfWidth:P0}",
            ["defaultRule"] = "Retain becomes TrainerOptions.NativeHeap's default only when this interval's upper end is below 1 on a quiet machine (docs/performance.md, \"Native heap\")",
        };
        yield return Figure.Paired($"trainer step, retained native heap / glibc's defaults (ResNet-20, batch 128, {format})", rounds.Ratio("retain", "system"),
            rounds.Seconds("retain").Zip(rounds.Seconds("system"), (a, b) => a / b), details, atMost: 1.0);
    }

    private static double FaultsPerStep(JsonObject pass, int steps) => pass["minorFaults"]!.GetValue<long>() / (double)steps;
}

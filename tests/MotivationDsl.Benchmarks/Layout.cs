using System.Text.Json.Nodes;
using MotivationDsl.Examples.EfficientNet;
using MotivationDsl.Examples.VisionTransformer;
using MotivationDsl.Training;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using static TorchSharp.torch;

namespace MotivationDsl.Benchmarks;

/// <summary>
/// Memory format (issue 15): the trainer's ResNet-20 step in NCHW and channels-last against PyTorch in both, and the
/// channels-last / NCHW step ratio per model family, which decides each family's default (docs/performance.md).
/// </summary>
internal static class Layout
{
    private static TrainerOptions Options(MemoryFormat format) => new()
    {
        Optimizer = OptimizerOptions.PaperSgd(0.1), Condition = new Never(), Seed = 1, MemoryFormat = format,
    };

    private static double Pass(MotivationTrainer t, IDataLoader loader) => Clock.Seconds(() => t.Fit(loader, null, t.CompletedEpochs + 1));

    /// <summary>The defaults-table row this figure speaks for: the model's family (by structure) on this machine's CPU class.</summary>
    private static void DefaultsRow(JsonObject details, ScalableModelDefinition definition)
    {
        var row = MemoryFormatDefaults.RowFor(definition, HostCpu.Current.Class);
        details["defaultsTableRow"] = $"{row.Family} on {row.Cpu}";
        details["defaultNow"] = row.Format.ToString();
        details["defaultDecidedBy"] = row.DecidedBy;
    }

    private static string Arm(string side, MemoryFormat f) => $"{side} {(f == MemoryFormat.ChannelsLast ? "channels-last" : "NCHW")}";

    public static IEnumerable<Figure> Run(Config c)
    {
        foreach (var f in ResNetAgainstPyTorch(c)) yield return f;
        foreach (var f in Families(c)) yield return f;
    }

    /// <summary>ResNet-20, batch 128: four arms (trainer / PyTorch x NCHW / channels-last) in paired rounds.</summary>
    private static IEnumerable<Figure> ResNetAgainstPyTorch(Config c)
    {
        var def = Workloads.ResNet;
        var (loader, source) = Workloads.FashionAsCifar(c.Batch * c.Steps, c.Batch);
        using var _ = loader;
        MemoryFormat[] formats = [MemoryFormat.Contiguous, MemoryFormat.ChannelsLast];
        var trainers = formats.Select(f => MotivationTrainer.Create(def, Options(f))).ToArray();
        var py = PyTorch.Available(c);
        var sessions = py.Ok ? formats.Select(f => new PyTorch.Session(c, f == MemoryFormat.ChannelsLast, c.Steps, warmup: 1)).ToArray() : [];
        try
        {
            var arms = new List<(string, Func<double>)>();
            for (var i = 0; i < formats.Length; i++)
            {
                var t = trainers[i];
                Pass(t, loader);   // warm-up
                arms.Add((Arm("trainer", formats[i]), () => Pass(t, loader) / c.Steps));
            }
            for (var i = 0; i < sessions.Length; i++)
            {
                var s = sessions[i];
                s.SecondsPerStep(c.Steps);
                arms.Add((Arm("pytorch", formats[i]), () => s.SecondsPerStep(c.Steps)));
            }
            var ours = formats.Select(f => Arm("trainer", f)).ToArray();
            var theirs = formats.Select(f => Arm("pytorch", f)).ToArray();
            var rounds = new PairedRounds(arms);
            var plan = c.Plan();
            rounds.Run(plan, r => sessions.Length == 0 ? [r.Ratio(ours[1], ours[0])]
                    : [r.Ratio(ours[1], ours[0]), r.Ratio(theirs[1], theirs[0]), r.Ratio(r.Fastest(ours), r.Fastest(theirs))],
                (i, s) => Console.Error.WriteLine($"  layout round {i + 1} (max {plan.MaxRounds}): {string.Join("  ", arms.Select((a, k) => $"{a.Item1} {s[k]:F3}s"))}  load {Machine.LoadAverage()[0]:F1}"));

            JsonObject Details() => new()
            {
                ["model"] = "ResNet-20 (examples/ResNetCifar) / tests/reference/resnet_cifar.py", ["batch"] = c.Batch, ["stepsPerPass"] = c.Steps,
                ["data"] = source, ["threads"] = get_num_threads(), ["python"] = py.Describe,
                ["secondsPerStep"] = new JsonObject(arms.Select(a => KeyValuePair.Create(a.Item1, (JsonNode?)Spread.Of(rounds.Seconds(a.Item1)).Json()))),
                ["plan"] = $"paired rounds: min {plan.MinRounds}, max {plan.MaxRounds}, stop at +-{plan.TargetHalfWidth:P0}",
            };
            double[] Ratios(string a, string b) => rounds.Seconds(a).Zip(rounds.Seconds(b), (x, y) => x / y).ToArray();

            var resnet = Details();
            DefaultsRow(resnet, def);
            yield return Figure.Paired("trainer channels-last / trainer NCHW (ResNet-20)", rounds.Ratio(ours[1], ours[0]), Ratios(ours[1], ours[0]), resnet);
            string? bestOurs = rounds.Fastest(ours), bestTheirs = null;
            if (sessions.Length > 0)
            {
                bestTheirs = rounds.Fastest(theirs);
                yield return Figure.Paired("PyTorch channels-last / PyTorch NCHW (ResNet-20)", rounds.Ratio(theirs[1], theirs[0]), Ratios(theirs[1], theirs[0]), Details());
                var d = Details();
                d["trainerBest"] = bestOurs; d["pytorchBest"] = bestTheirs;
                yield return Figure.Paired($"trainer best ({bestOurs}) / PyTorch best ({bestTheirs})", rounds.Ratio(bestOurs, bestTheirs), Ratios(bestOurs, bestTheirs), d, atMost: 1.0);
            }
            else Console.Error.WriteLine($"  PyTorch layouts skipped: {py.Describe}");

            // Fraction of peak of the trainer's best layout; the 45 % goal is stated for AVX-512 machines only.
            var cpu = Machine.CpuInfo();
            var flopsPerStep = 3.0 * def.GetVariant(def.BaseVariant).Flops * c.Batch;
            var fractions = rounds.Seconds(bestOurs).Select(s => flopsPerStep / s / 1e9 / cpu.PeakGflops).ToArray();
            var ci = RatioInterval.Of(fractions);
            var peak = Macro.PeakFraction($"trainer best ({bestOurs}) throughput / peak FP32", def, c.Batch, rounds.Seconds(bestOurs),
                bestTheirs is null ? [] : rounds.Seconds(bestTheirs),
                cpu.Avx512F ? ">= 45 % (AVX-512)" : "none on AVX2 (45 % is the AVX-512 goal)", cpu.Avx512F ? ci.MeetsAtLeast(0.45) : null);
            peak.Details["fraction95"] = ci.Json();
            yield return peak;
        }
        finally
        {
            foreach (var t in trainers) t.Dispose();
            foreach (var s in sessions) s.Dispose();
        }
    }

    private sealed record Family(string Name, string Why, Func<MemoryFormat, MotivationPair> Pair, int Batch, int Classes, int Size);

    /// <summary>The trainer's step in channels-last / NCHW for each family (paired rounds, fewer than for ResNet-20).</summary>
    private static IEnumerable<Figure> Families(Config c)
    {
        Family[] families =
        [
            new("EfficientNet-B0", "examples/EfficientNet at 64 px, 10 classes (depthwise convolutions, squeeze-excitation)",
                f => EfficientNet.WithPair("B0", "B1").CreatePair(null, 1, new ModelOptions { Classes = 10, InputSize = 64 }, false, f), 32, 10, 64),
            new("ViT-Tiny (CIFAR)", "examples/VisionTransformer VisionTransformerCifar, 32 px, patch 4 (one 4-D weight: the patch embedding)",
                f => VisionTransformerCifar.Definition.CreatePair(null, 1, null, false, f), 64, 100, 32),
            new("user blocks (TinyResNet w32 d3)", "tests/Shared/TinyPair.cs: a hand-written module (conv-BN blocks), 32 px",
                f => new TinyDefinition("Bench.Tiny", 32, 3, 64, 4).CreatePair(null, 1, null, false, f), 64, TinyDefinition.NumClasses, 32),
        ];
        var steps = c.Quick ? 2 : 3;
        var plan = c.Capped(c.Quick ? new PairedPlan(3, 3) : new PairedPlan(4, Math.Max(12, c.Repeats)));
        foreach (var fam in families)
        {
            manual_seed(2);
            var x = randn(fam.Batch * steps, 3, fam.Size, fam.Size);
            var y = randint(0, fam.Classes, [fam.Batch * steps]);
            using var loader = new TensorDataLoader(x, y, fam.Batch, shuffleSeed: null, dropLast: true);
            var trainers = new List<MotivationTrainer>();
            try
            {
                foreach (var f in new[] { MemoryFormat.Contiguous, MemoryFormat.ChannelsLast })
                {
                    var t = new MotivationTrainer(fam.Pair(f), Options(f), ownsPair: true);
                    trainers.Add(t);
                    Pass(t, loader);   // warm-up
                }
                var rounds = new PairedRounds([("nchw", () => Pass(trainers[0], loader) / steps), ("cl", () => Pass(trainers[1], loader) / steps)]);
                rounds.Run(plan, r => [r.Ratio("cl", "nchw")], (i, s) =>
                    Console.Error.WriteLine($"  {fam.Name} round {i + 1}: NCHW {s[0]:F3}s channels-last {s[1]:F3}s  load {Machine.LoadAverage()[0]:F1}"));
                var details = new JsonObject
                {
                    ["family"] = fam.Name, ["workload"] = fam.Why, ["batch"] = fam.Batch, ["stepsPerPass"] = steps, ["threads"] = get_num_threads(),
                    ["nchwSecondsPerStep"] = Spread.Of(rounds.Seconds("nchw")).Json(), ["channelsLastSecondsPerStep"] = Spread.Of(rounds.Seconds("cl")).Json(),
                    ["defaultRule"] = "channels-last becomes the family's default on this CPU class only when this interval's upper end is below 1 on a quiet machine (docs/performance.md)",
                };
                DefaultsRow(details, trainers[0].Definition);
                yield return Figure.Paired($"trainer channels-last / NCHW ({fam.Name})", rounds.Ratio("cl", "nchw"),
                    rounds.Seconds("cl").Zip(rounds.Seconds("nchw"), (a, b) => a / b), details);
            }
            finally
            {
                foreach (var t in trainers) t.Dispose();
                x.Dispose(); y.Dispose();
            }
        }
    }
}

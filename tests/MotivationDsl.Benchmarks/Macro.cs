using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using MotivationDsl.Training;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Benchmarks;

internal sealed record Config(bool Quick, int Threads, int Repeats, string Root, int? MaxRounds = null)
{
    /// <summary>The paired plan of the ResNet-20 groups (step, layout, mpi), capped by <c>--max-rounds</c>.</summary>
    public PairedPlan Plan() => Capped(PairedPlan.For(Quick, Repeats));

    /// <summary><paramref name="plan"/> with at most <see cref="MaxRounds"/> rounds (<c>--max-rounds N</c> bounds a run's time).</summary>
    public PairedPlan Capped(PairedPlan plan) => plan.CappedAt(MaxRounds);

    public int Batch => 128;
    /// <summary>Timed training steps per measurement pass (ResNet-20, batch 128).</summary>
    public int Steps => Quick ? 2 : 5;
}

/// <summary>Whole-loop measurements: trainer overhead, PyTorch, peak fraction, switch cost.</summary>
internal static class Macro
{
    private static TrainerOptions Sgd(IMotivationCondition c, bool zeroCopy = false, IReadOnlyList<TrainerCallback>? callbacks = null) => new()
    {
        Optimizer = OptimizerOptions.PaperSgd(0.1), Condition = c, Seed = 1, ZeroCopy = zeroCopy, Callbacks = callbacks ?? [],
    };

    /// <summary>The plain loop the trainer is compared with: same model, data, optimizer class, loss and one loss read per step.</summary>
    private static double HandPass(nn.Module<Tensor, Tensor> model, MotivationOptimizer opt, IDataLoader loader)
    {
        var t0 = Stopwatch.GetTimestamp();
        using (var batches = loader.Batches(0).GetEnumerator())
        {
            while (true)
            {
                using var scope = NewDisposeScope();
                if (!batches.MoveNext()) break;
                var (x, y) = batches.Current;
                opt.ZeroGrad();
                var loss = nn.functional.cross_entropy(model.call(x), y);
                loss.backward();
                opt.Step();
                _ = loss.item<float>();
            }
        }
        return Stopwatch.GetElapsedTime(t0).TotalSeconds;
    }

    private static double TrainerPass(MotivationTrainer t, IDataLoader loader) =>
        Clock.Seconds(() => t.Fit(loader, null, t.CompletedEpochs + 1));

    /// <summary>
    /// Trainer (condition Never) vs a hand-written loop vs PyTorch (a long-lived process), ResNet-20 batch 128, SGD momentum
    /// 0.9 wd 5e-4, in paired rounds (<see cref="PairedRounds"/>: every round runs all three, order rotated) until both
    /// ratios' 95 % intervals are within +-2 % or the round cap. Yields the overhead ratio, the PyTorch ratio and the peak fraction.
    /// </summary>
    public static IEnumerable<Figure> Step(Config c)
    {
        var def = Workloads.ResNet;
        var (loader, source) = Workloads.FashionAsCifar(c.Batch * c.Steps, c.Batch);
        using var _ = loader;
        using var trainer = MotivationTrainer.Create(def, Sgd(new Never()));
        manual_seed(1);
        using var model = def.Create(def.BaseVariant);
        model.train();
        using var opt = new SgdOptimizer(model.named_parameters().Select(p => (p.name, p.parameter)), 0.1, momentum: 0.9, weightDecay: 5e-4);
        var py = PyTorch.Available(c);
        using var session = py.Ok ? new PyTorch.Session(c, channelsLast: false, c.Steps, warmup: 1) : null;

        // Warm-up: one pass each (allocator, oneDNN primitive caches, JIT).
        HandPass(model, opt, loader);
        TrainerPass(trainer, loader);
        session?.SecondsPerStep(c.Steps);

        var arms = new List<(string, Func<double>)>
        {
            ("hand", () => HandPass(model, opt, loader) / c.Steps),
            ("trainer", () => TrainerPass(trainer, loader) / c.Steps),
        };
        if (session is not null) arms.Add(("pytorch", () => session.SecondsPerStep(c.Steps)));
        var rounds = new PairedRounds(arms);
        var plan = c.Plan();
        rounds.Run(plan, r => session is null ? [r.Ratio("trainer", "hand")] : [r.Ratio("trainer", "hand"), r.Ratio("trainer", "pytorch")], (i, s) =>
            Console.Error.WriteLine($"  step round {i + 1} (max {plan.MaxRounds}): {string.Join("  ", arms.Select((a, k) => $"{a.Item1} {s[k]:F3}s"))}  load {Machine.LoadAverage()[0]:F1}"));
        var hand = rounds.Seconds("hand");
        var ours = rounds.Seconds("trainer");
        var details = new JsonObject
        {
            ["model"] = "ResNet-20 (examples/ResNetCifar)", ["batch"] = c.Batch, ["stepsPerPass"] = c.Steps, ["data"] = source,
            ["optimizer"] = "MotivationDsl SgdOptimizer lr 0.1 momentum 0.9 wd 5e-4 (both)", ["threads"] = get_num_threads(),
            ["handSecondsPerStep"] = Spread.Of(hand).Json(), ["trainerSecondsPerStep"] = Spread.Of(ours).Json(),
            ["plan"] = $"paired rounds: min {plan.MinRounds}, max {plan.MaxRounds}, stop at +-{plan.TargetHalfWidth:P0}",
        };
        yield return Figure.Paired("trainer overhead (Never / hand loop)", rounds.Ratio("trainer", "hand"),
            ours.Zip(hand, (o, h) => o / h), details, atMost: 1.02);

        var pyDetails = new JsonObject
        {
            ["python"] = py.Describe, ["trainerSecondsPerStep"] = Spread.Of(ours).Json(),
            ["batch"] = c.Batch, ["threads"] = get_num_threads(), ["model"] = "tests/reference/resnet_cifar.py ResNet(3, option A)",
        };
        double[] torchPy = [];
        if (session is not null)
        {
            torchPy = rounds.Seconds("pytorch");
            pyDetails["pytorchSecondsPerStep"] = Spread.Of(torchPy).Json();
            yield return Figure.Paired("trainer step / PyTorch step (ResNet-20)", rounds.Ratio("trainer", "pytorch"),
                ours.Zip(torchPy, (o, p) => o / p), pyDetails, atMost: 1.0);
        }
        else
        {
            Console.Error.WriteLine($"  PyTorch comparison skipped: {py.Describe}");
            yield return new Figure { Name = "trainer step / PyTorch step (ResNet-20)", Value = Spread.Of([]), Unit = "ratio", Goal = "<= 1.0 (skipped: " + py.Describe + ")", Details = pyDetails };
        }
        yield return PeakFraction("trainer throughput / peak FP32", def, c.Batch, ours, torchPy);
    }

    /// <summary>Throughput vs the CPU's peak: training FLOPs per step = 3 x forward FLOPs x batch (backward = 2 x forward).</summary>
    internal static Figure PeakFraction(string name, ScalableModelDefinition def, int batch, double[] ours, double[] pytorch, string? goal = null, bool? met = null)
    {
        var cpu = Machine.CpuInfo();
        var flopsPerStep = 3.0 * def.GetVariant(def.BaseVariant).Flops * batch;
        return new Figure
        {
            Name = name, Value = Spread.Of(ours.Select(o => flopsPerStep / o / 1e9 / cpu.PeakGflops)), Unit = "fraction", Format = "P1",
            Goal = goal, Met = met,
            Details = new JsonObject
            {
                ["peakDerivation"] = cpu.Derivation, ["peakGflops"] = cpu.PeakGflops, ["flopsPerStep"] = flopsPerStep,
                ["flopsConvention"] = "3 x forward FLOPs (2 x MACs, " + def.BaseVariant + " = " + def.GetVariant(def.BaseVariant).Flops + " per sample) x batch",
                ["achievedGflops"] = Spread.Of(ours.Select(o => flopsPerStep / o / 1e9)).Json(),
                ["pytorchFraction"] = pytorch.Length > 0 ? Spread.Of(pytorch.Select(p => flopsPerStep / p / 1e9 / cpu.PeakGflops)).Json() : null,
            },
        };
    }

    private sealed class StepTimer : TrainerCallback
    {
        private long _t0;
        public readonly List<(ModelRole Role, double Seconds)> Steps = [];
        public override void OnBatchStart(MotivationTrainer t, int epoch, int batch, long globalStep, ModelRole active) => _t0 = Stopwatch.GetTimestamp();
        public override void OnBatchEnd(MotivationTrainer t, in BatchResult r) => Steps.Add((r.Active, Stopwatch.GetElapsedTime(_t0).TotalSeconds));
    }

    /// <summary>Switch round trip (weights, buffers, optimizer state) vs one motivated step, ResNet-20 -> ResNet-32, batch 128, copy and zero-copy.</summary>
    public static IEnumerable<Figure> Switch(Config c)
    {
        var def = Workloads.ResNet;
        var steps = c.Quick ? 2 : 4;
        var (loader, _) = Workloads.FashionAsCifar(c.Batch * steps, c.Batch);
        using var __ = loader;
        var roundTrips = c.Quick ? 30 : 100;
        foreach (var zeroCopy in new[] { false, true })
        {
            var timer = new StepTimer();
            using var t = MotivationTrainer.Create(def, Sgd(new Always(), zeroCopy, [timer]));
            // Always: the motivated model trains every batch; the first epoch warms up, the rest are measured.
            var epochs = c.Quick ? 2 : 1 + Math.Max(1, c.Repeats);
            t.Fit(loader, null, epochs);
            var motSteps = timer.Steps.Skip(steps).Where(s => s.Role == ModelRole.Motivated).Select(s => s.Seconds).ToArray();
            // Round trips with real optimizer state (the Always epochs left momentum everywhere).
            for (var i = 0; i < 5; i++) { t.SwitchToMotivated(); t.SwitchToBase(); }
            var rt = new List<double>();
            for (var i = 0; i < roundTrips; i++) rt.Add(Clock.Seconds(() => { t.SwitchToMotivated(); t.SwitchToBase(); }));
            var step = Spread.Of(motSteps);
            var rts = Spread.Of(rt);
            var ratio = new Spread(rts.Min / step.Median, rts.Median / step.Median, rts.Max / step.Median, rts.N);
            var mode = zeroCopy ? "zero-copy" : "copy";
            yield return new Figure
            {
                Name = $"switch round trip / motivated step ({mode})", Value = ratio, Unit = "ratio", Goal = "<= 0.02", Met = ratio.Median <= 0.02, Format = "E2",
                Details = new JsonObject
                {
                    ["mode"] = mode, ["pair"] = "ResNet-20 -> ResNet-32", ["batch"] = c.Batch, ["optimizer"] = "SGD momentum 0.9 wd 5e-4",
                    ["roundTripSeconds"] = rts.Json(), ["motivatedStepSeconds"] = step.Json(),
                    ["sharedEntries"] = t.Pair.Map.SharedCount, ["mapEntries"] = t.Pair.Map.Entries.Count,
                    ["ratioNote"] = "round-trip min/median/max divided by the median motivated step",
                },
            };
        }
    }
}

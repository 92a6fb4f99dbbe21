using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using MotivationDsl.Training;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using static TorchSharp.torch;

namespace MotivationDsl.Benchmarks;

/// <summary>
/// Whole runs in child processes (so peak RSS is the run's own): the motivated run vs the classical large run (Always)
/// vs the classical base (Never), and the 10,000-step RSS watch.
/// </summary>
internal static class Runs
{
    // ---- child side -------------------------------------------------------------------------------------------
    /// <summary><c>child-run {motivated|always|never} epochs batches batch size zeroCopy</c>: prints one JSON line.</summary>
    public static int ChildRun(string[] a)
    {
        var mode = a[0];
        int epochs = int.Parse(a[1]), batches = int.Parse(a[2]), batch = int.Parse(a[3]), size = int.Parse(a[4]);
        var zeroCopy = a.Length > 5 && a[5] == "zero-copy";
        IMotivationCondition cond = mode switch { "always" => new Always(), "never" => new Never(), _ => new ConsecutiveDecrease(2) };
        var (loader, _) = Workloads.FashionAsCifar(batch * batches, batch, size);
        using var __ = loader;
        // Warm-up, the same for every mode: one batch of each model in throw-away trainers (first-call costs of a fresh
        // process: JIT, oneDNN primitives per shape), so the timed run measures training, not start-up.
        var (warm, _) = Workloads.FashionAsCifar(batch, batch, size);
        using (warm)
            foreach (IMotivationCondition w in new IMotivationCondition[] { new Never(), new Always() })
            {
                using var wt = MotivationTrainer.Create(Workloads.ResNet, new TrainerOptions { Optimizer = OptimizerOptions.PaperSgd(0.1), Condition = w, Seed = 2 });
                wt.Fit(warm, null, 1);
            }
        GC.Collect(); GC.WaitForPendingFinalizers();
        using var t = MotivationTrainer.Create(Workloads.ResNet, new TrainerOptions
        {
            Optimizer = OptimizerOptions.PaperSgd(0.1), Condition = cond, Seed = 1, ZeroCopy = zeroCopy,
        });
        var rssBefore = Machine.RssMiB();
        var wall = Clock.Seconds(() => t.Fit(loader, null, epochs));
        var acc = t.Accounting;
        Console.WriteLine(new JsonObject
        {
            ["mode"] = mode, ["wallSeconds"] = wall, ["meanForwardFlops"] = acc.MeanForwardFlops, ["motivatedShare"] = acc.MotivatedShare,
            ["switches"] = acc.Switches, ["switchSeconds"] = acc.SwitchSeconds, ["rssBeforeMiB"] = rssBefore, ["peakRssMiB"] = Machine.PeakRssMiB(),
            ["finalLoss"] = t.History[^1].TrainLoss,
        }.ToJsonString());
        return 0;
    }

    /// <summary><c>child-memory steps</c>: ResNet-20 -> 32 motivated training on 4 x 3 x 8 x 8 batches; RSS every 500 steps.</summary>
    public static int ChildMemory(string[] a)
    {
        var steps = int.Parse(a[0]);
        const int perEpoch = 500;
        var (loader, _) = Workloads.FashionAsCifar(16 * 50, 16, size: TinyDefinition.Size);   // 50 batches, reused: 10 passes per "epoch"
        using var __ = loader;
        var reps = new DelegateDataLoader(perEpoch, e => Enumerable.Range(0, perEpoch / loader.BatchCount).SelectMany(_ => loader.Batches(0)));
        var samples = new JsonArray();
        var probe = new RssProbe(samples);
        using var t = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions
        {
            Optimizer = OptimizerOptions.PaperSgd(0.05), Condition = new ConsecutiveDecrease(2), Seed = 1, Callbacks = [probe],
            Loss = (o, y) => nn.functional.cross_entropy(o, y.remainder(TinyDefinition.NumClasses)),
        });
        var wall = Clock.Seconds(() => t.Fit(reps, null, steps / perEpoch));
        Console.WriteLine(new JsonObject
        {
            ["steps"] = t.GlobalStep, ["wallSeconds"] = wall, ["rssMiB"] = samples, ["switches"] = t.Accounting.Switches,
            ["motivatedShare"] = t.Accounting.MotivatedShare, ["peakRssMiB"] = Machine.PeakRssMiB(),
        }.ToJsonString());
        return 0;
    }

    private sealed class RssProbe(JsonArray samples) : TrainerCallback
    {
        public override void OnBatchEnd(MotivationTrainer t, in BatchResult r)
        {
            // [step, RSS MiB, live TorchSharp tensors, managed heap MiB, RSS MiB before the collection]. Each sample follows a
            // full blocking collection, so that samples compare memory in use, not how much garbage the GC's budget
            // happened to hold (without it RSS climbs ~35 MiB over the first ~4,000 steps while the GC's committed
            // regions settle, then stays flat: docs/performance.md, section 7).
            if ((r.GlobalStep + 1) % 500 == 0)
            {
                var before = Machine.RssMiB();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                samples.Add(new JsonArray(r.GlobalStep + 1, Machine.RssMiB(), TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount,
                    GC.GetTotalMemory(false) / 1048576.0, before));
            }
        }
    }

    // ---- parent side ------------------------------------------------------------------------------------------
    private static JsonObject Child(Config c, params string[] args) => Child(c, null, args);

    private static JsonObject Child(Config c, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var self = typeof(Runs).Assembly.Location;
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        // Under `dotnet run` this process is the apphost; under `dotnet X.dll` it is the dotnet host, which needs the dll.
        if (Path.GetFileName(Environment.ProcessPath!).StartsWith("dotnet", StringComparison.Ordinal)) psi.ArgumentList.Add(self);
        foreach (var x in new[] { "--threads", c.Threads.ToString(CultureInfo.InvariantCulture) }.Concat(args)) psi.ArgumentList.Add(x);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var o = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"child {string.Join(' ', args)} failed ({p.ExitCode}): {o}{err.Result}");
        return JsonNode.Parse(o.Trim().Split('\n')[^1])!.AsObject();
    }

    public static IEnumerable<Figure> MotivatedVsClassical(Config c)
    {
        // Same data and epochs for all three; interleaved per repeat.
        var (epochs, batches, batch, size) = c.Quick ? (1, 6, 32, 32) : (2, 8, 64, 32);
        var runs = new Dictionary<string, List<JsonObject>> { ["motivated"] = [], ["always"] = [], ["never"] = [] };
        var reps = c.Quick ? 1 : Math.Max(2, c.Repeats - 1);
        for (var r = 0; r < reps; r++)
            foreach (var mode in runs.Keys.ToArray())
            {
                var j = Child(c, "child-run", mode, $"{epochs}", $"{batches}", $"{batch}", $"{size}");
                runs[mode].Add(j);
                Console.Error.WriteLine($"  {mode,-9} run {r + 1}/{reps}: {j["wallSeconds"]!.GetValue<double>():F1}s  F {j["meanForwardFlops"]!.GetValue<double>() / 1e6:F2} MFLOPs  share {j["motivatedShare"]!.GetValue<double>():P1}  peak RSS {j["peakRssMiB"]!.GetValue<double>():F0} MiB  load {Machine.LoadAverage()[0]:F1}");
            }
        double[] Get(string mode, string key) => runs[mode].Select(j => j[key]!.GetValue<double>()).ToArray();
        var wallRatio = Spread.Of(Get("motivated", "wallSeconds").Zip(Get("always", "wallSeconds"), (m, a) => m / a));
        var fRatio = Spread.Of(Get("motivated", "meanForwardFlops").Zip(Get("always", "meanForwardFlops"), (m, a) => m / a));
        var memRatio = Spread.Of(Get("motivated", "peakRssMiB").Zip(Get("always", "peakRssMiB"), (m, a) => m / a));
        var details = new JsonObject
        {
            ["pair"] = "ResNet-20 -> ResNet-32, ConsecutiveDecrease(2) vs Always vs Never", ["epochs"] = epochs, ["batchesPerEpoch"] = batches,
            ["batch"] = batch, ["optimizer"] = "SGD lr 0.1 momentum 0.9 wd 5e-4",
        };
        foreach (var (mode, list) in runs)
            details[mode] = new JsonObject
            {
                ["wallSeconds"] = Spread.Of(Get(mode, "wallSeconds")).Json(), ["meanForwardFlops"] = Spread.Of(Get(mode, "meanForwardFlops")).Json(),
                ["motivatedShare"] = Spread.Of(Get(mode, "motivatedShare")).Json(), ["peakRssMiB"] = Spread.Of(Get(mode, "peakRssMiB")).Json(),
                ["rssBeforeTrainingMiB"] = Spread.Of(Get(mode, "rssBeforeMiB")).Json(), ["switchSeconds"] = Spread.Of(Get(mode, "switchSeconds")).Json(),
            };
        yield return new Figure { Name = "motivated / classical large: wall time", Value = wallRatio, Unit = "ratio", Format = "F3", Details = details };
        yield return new Figure { Name = "motivated / classical large: F (mean fwd FLOPs)", Value = fRatio, Unit = "ratio", Format = "F3", Details = new JsonObject { ["see"] = "details of the wall-time figure" } };
        yield return new Figure { Name = "motivated / classical large: peak RSS", Value = memRatio, Unit = "ratio", Format = "F3", Details = new JsonObject { ["see"] = "details of the wall-time figure" } };
    }

    public static IEnumerable<Figure> Memory(Config c)
    {
        var steps = c.Quick ? 2000 : 10000;
        // One torch thread: the model is tiny (parallel regions would only add fork/join cost).
        var j = Child(c with { Threads = 1 }, "child-memory", steps.ToString(CultureInfo.InvariantCulture));
        var samples = j["rssMiB"]!.AsArray().Select(s => (Step: s![0]!.GetValue<long>(), Rss: s[1]!.GetValue<double>())).ToArray();
        // Warm-up: the first sample (500 steps) and anything before 10% of the run.
        var warm = samples.Where(s => s.Step >= Math.Max(1000, steps / 10)).ToArray();
        var first = warm[0].Rss; var last = warm[^1].Rss; var max = warm.Max(s => s.Rss);
        var growth = (last - first) / first;
        var growthMax = (max - first) / first;
        Console.Error.WriteLine($"  memory: {j["steps"]} steps in {j["wallSeconds"]!.GetValue<double>():F0}s, RSS {first:F0} -> {last:F0} MiB (max {max:F0})");
        yield return new Figure
        {
            Name = $"RSS growth over {steps} steps", Value = new Spread(Math.Min(growth, growthMax), growth, growthMax, warm.Length), Unit = "fraction",
            Goal = "< 0.05", Met = growthMax < 0.05, Format = "P2",
            Details = new JsonObject
            {
                ["workload"] = "TinyNet w4d1 -> w8d2 (width and depth map), ConsecutiveDecrease(2), SGD momentum, batch 16 of 3x8x8 (Fashion-MNIST resized, labels mod 4), 1 torch thread, child process",
                ["sampleColumns"] = "[step, RSS MiB after a full GC, live TorchSharp tensors, managed heap MiB after it, RSS MiB before it]",
                ["value"] = "median = (last - first) / first after warm-up; min/max: the smaller / larger of that and (max - first) / first",
                ["warmupSteps"] = Math.Max(1000, steps / 10), ["samples"] = j["rssMiB"]!.DeepClone(), ["wallSeconds"] = j["wallSeconds"]!.GetValue<double>(),
                ["switches"] = j["switches"]!.GetValue<double>(), ["motivatedShare"] = j["motivatedShare"]!.GetValue<double>(),
            },
        };
    }
}

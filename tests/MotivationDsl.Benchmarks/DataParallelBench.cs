using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using MotivationDsl.Training;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Distributed;
using MotivationDsl.Training.Optimizers;
using static TorchSharp.torch;

namespace MotivationDsl.Benchmarks;

/// <summary>
/// Group <c>mpi</c>: data-parallel training over Open MPI on this machine (shared memory). Throughput of 2 ranks x 1
/// thread against 1 process x 2 threads (paired, interleaved rounds of child processes), the all-reduce's share of a
/// ResNet-20 batch-128 step on 2 ranks, and a cost model for N ranks from the measured all-reduce time per size.
/// </summary>
internal static class DataParallelBench
{
    private static readonly string[] MpirunFlags = ["--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,vader", "-x", "TERM=dumb"];

    // ---- child side (started by the parent, under mpirun or alone) --------------------------------------------------

    /// <summary><c>child-mpi-step steps</c>: ResNet-20, global batch 128, base only; rank 0 prints one JSON line.</summary>
    public static int ChildStep(string[] a)
    {
        var steps = int.Parse(a[0], CultureInfo.InvariantCulture);
        using var world = Communicators.FromEnvironment();
        var (loader, _) = Workloads.FashionAsCifar(128 * steps, 128);
        var (warm, _) = Workloads.FashionAsCifar(128 * 2, 128);
        using (loader)
        using (warm)
        {
            using var t = MotivationTrainer.Create(Workloads.ResNet, new TrainerOptions
            {
                Optimizer = OptimizerOptions.PaperSgd(0.1), Condition = new Never(), Seed = 1, Communicator = world,
            });
            t.Fit(warm, null, 1); // first-call costs (JIT, oneDNN primitives, bucket buffers) out of the timed part
            var before = t.Parallel?.CommunicationSeconds ?? 0;
            world.Barrier();
            var seconds = Clock.Seconds(() => t.Fit(loader, null, 2));
            var communication = (t.Parallel?.CommunicationSeconds ?? 0) - before;
            if (world.Rank == 0)
                Console.WriteLine(new JsonObject
                {
                    ["ranks"] = world.Size, ["threads"] = get_num_threads(), ["steps"] = steps, ["seconds"] = seconds,
                    ["communicationSeconds"] = communication, ["gradientAllReduces"] = t.Parallel?.GradientAllReduces ?? 0,
                }.ToJsonString());
        }
        return 0;
    }

    /// <summary><c>child-mpi-allreduce</c>: seconds per in-place float32 all-reduce for sizes 1k .. 16M floats; rank 0 prints JSON.</summary>
    public static int ChildAllReduce(string[] a)
    {
        using var world = Communicators.FromEnvironment();
        var sizes = new JsonArray();
        foreach (var n in new long[] { 1 << 10, 1 << 14, 1 << 16, 270_000, 1 << 20, 1 << 22, 1 << 24 })
        {
            using var buffer = ones(n);
            var repeats = (int)Math.Clamp(200_000_000 / (n * 4), 5, 500);
            for (var i = 0; i < 3; i++) world.AllReduceSum(buffer);
            world.Barrier();
            var times = new List<double>();
            for (var r = 0; r < 5; r++)
            {
                var t0 = Stopwatch.GetTimestamp();
                for (var i = 0; i < repeats; i++) world.AllReduceSum(buffer);
                times.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds / repeats);
            }
            sizes.Add(new JsonObject { ["floats"] = n, ["bytes"] = n * 4, ["seconds"] = times.Order().ElementAt(times.Count / 2) });
        }
        if (world.Rank == 0) Console.WriteLine(new JsonObject { ["ranks"] = world.Size, ["sizes"] = sizes }.ToJsonString());
        return 0;
    }

    // ---- parent side -------------------------------------------------------------------------------------------------

    public static IEnumerable<Figure> Run(Config c)
    {
        if (FindMpirun() is null)
        {
            Console.Error.WriteLine("  mpi: mpirun not found (apt-get install openmpi-bin libopenmpi-dev); group skipped");
            yield break;
        }
        var steps = c.Quick ? 4 : 10;
        var step2x1 = new List<JsonObject>();
        var step1x2 = new List<JsonObject>();
        var rounds = new PairedRounds(
        [
            ("2 ranks x 1 thread", () => Record(step2x1, Child(ranks: 2, threads: 1, "child-mpi-step", steps.ToString(CultureInfo.InvariantCulture)))),
            ("1 process x 2 threads", () => Record(step1x2, Child(ranks: 0, threads: 2, "child-mpi-step", steps.ToString(CultureInfo.InvariantCulture)))),
        ]);
        var plan = c.Quick ? new PairedPlan(3, 3) : new PairedPlan(Math.Max(6, c.Repeats), 16);
        rounds.Run(plan, r => [r.Ratio("1 process x 2 threads", "2 ranks x 1 thread")],
            (i, s) => Console.Error.WriteLine($"  mpi round {i + 1}: 2x1 {s[0]:F2} s, 1x2 {s[1]:F2} s for {steps} steps"));
        var throughput = rounds.Ratio("1 process x 2 threads", "2 ranks x 1 thread");
        yield return IntervalFigure("mpi: throughput 2 ranks x 1 thread / 1 process x 2 threads (ResNet-20, batch 128)", throughput,
            ">= 1.0 (whole CI)", throughput.MeetsAtLeast(1.0), new JsonObject
            {
                ["steps"] = steps, ["twoRanks"] = new JsonArray(step2x1.Select(j => (JsonNode)j.DeepClone()).ToArray()),
                ["oneProcess"] = new JsonArray(step1x2.Select(j => (JsonNode)j.DeepClone()).ToArray()),
            });

        var share = RatioInterval.Of(step2x1.Select(j => j["communicationSeconds"]!.GetValue<double>() / j["seconds"]!.GetValue<double>()));
        var stepSeconds = step2x1.Select(j => j["seconds"]!.GetValue<double>() / steps).Order().ElementAt(step2x1.Count / 2);
        yield return IntervalFigure("mpi: all-reduce share of a 2-rank ResNet-20 batch-128 step (loss + gradients, incl. waiting)", share,
            "<= 0.05 (whole CI)", share.MeetsAtMost(0.05), new JsonObject { ["medianStepSeconds"] = stepSeconds });

        var allReduce = Child(ranks: 2, threads: 1, "child-mpi-allreduce");
        foreach (var f in CostModel(allReduce, stepSeconds)) yield return f;
    }

    /// <summary>
    /// Fits t(bytes) = a + b x bytes to the 2-rank all-reduce times and extrapolates with the ring all-reduce's cost,
    /// t_N = 2 (N - 1) alpha + 2 (N - 1) / N x bytes x beta (alpha = a / 2, beta = b at N = 2), to ResNet-20's gradients at
    /// global batch 128 on N ranks, each computing 1/N of the 2-rank step's work.
    /// </summary>
    private static IEnumerable<Figure> CostModel(JsonObject measured, double twoRankStepSeconds)
    {
        var points = measured["sizes"]!.AsArray().Select(s => (Bytes: s!["bytes"]!.GetValue<double>(), Seconds: s["seconds"]!.GetValue<double>())).ToArray();
        // Least squares on the points, weighted by 1/t^2 so the small sizes (latency) count as much as the large ones.
        double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        foreach (var (x, y) in points)
        {
            var w = 1 / (y * y);
            sw += w; sx += w * x; sy += w * y; sxx += w * x * x; sxy += w * x * y;
        }
        var b = (sw * sxy - sx * sy) / (sw * sxx - sx * sx);
        var a = (sy - b * sx) / sw;
        var alpha = Math.Max(a, 0) / 2;
        var beta = b;
        var gradientBytes = Workloads.ResNet.GetVariant(Workloads.ResNet.BaseVariant).ParameterCount * 4.0;
        var measuredAtGradients = points.MinBy(p => Math.Abs(p.Bytes - gradientBytes));
        var details = new JsonObject
        {
            ["measured"] = measured.DeepClone(), ["latencyAlphaSeconds"] = alpha, ["secondsPerByteBeta"] = beta,
            ["bandwidthGBps"] = 1e-9 / beta, ["resnet20GradientBytes"] = gradientBytes,
        };
        yield return new Figure
        {
            Name = "mpi: all-reduce bandwidth, 2 ranks, shared memory (fit of 4 KiB..64 MiB)", Value = Spread.Of([1e-9 / beta]), Unit = "GB/s",
            Details = details,
        };
        yield return new Figure
        {
            Name = $"mpi: all-reduce of ResNet-20's gradients ({gradientBytes / 1e6:F2} MB), 2 ranks", Value = Spread.Of([measuredAtGradients.Seconds * 1e3]), Unit = "ms",
        };
        // Compute per rank at N ranks: the 2-rank step minus its communication, times 2 / N (same global batch).
        var compute2 = twoRankStepSeconds;
        foreach (var n in new[] { 2, 4, 8, 16, 64 })
        {
            var comm = 2 * (n - 1) * alpha + 2.0 * (n - 1) / n * gradientBytes * beta;
            var compute = compute2 * 2 / n;
            yield return new Figure
            {
                Name = $"mpi model: all-reduce share of a ResNet-20 batch-128 step at N = {n} (ring, this machine's alpha/beta)",
                Value = Spread.Of([comm / (comm + compute)]), Unit = "share",
                Details = new JsonObject { ["allReduceSeconds"] = comm, ["computeSecondsPerRank"] = compute },
            };
        }
    }

    private static Figure IntervalFigure(string name, RatioInterval ci, string goal, bool met, JsonObject details)
    {
        details["ci95"] = ci.Json();
        return new Figure
        {
            Name = $"{name}; 95 % CI {ci.Text("F3")}, {ci.Pairs} pairs", Value = new Spread(ci.Lower, ci.Ratio, ci.Upper, ci.Pairs), Unit = "ratio",
            Goal = goal, Met = met, Format = "F3", Details = details,
        };
    }

    private static double Record(List<JsonObject> into, JsonObject result)
    {
        into.Add(result);
        return result["seconds"]!.GetValue<double>();
    }

    private static JsonObject Child(int ranks, int threads, params string[] args)
    {
        var self = typeof(DataParallelBench).Assembly.Location;
        var psi = new ProcessStartInfo(ranks > 0 ? FindMpirun()! : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (ranks > 0)
        {
            foreach (var f in MpirunFlags) psi.ArgumentList.Add(f);
            psi.ArgumentList.Add("-np");
            psi.ArgumentList.Add(ranks.ToString(CultureInfo.InvariantCulture));
            psi.ArgumentList.Add("dotnet");
        }
        psi.ArgumentList.Add(self);
        foreach (var x in new[] { "--threads", threads.ToString(CultureInfo.InvariantCulture) }.Concat(args)) psi.ArgumentList.Add(x);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var o = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"child {string.Join(' ', args)} on {ranks} rank(s) failed ({p.ExitCode}): {o}{err.Result}");
        var json = o.Split('\n').Select(l => l.Trim()).Last(l => l.StartsWith('{'));
        return JsonNode.Parse(json)!.AsObject();
    }

    private static string? FindMpirun() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);
}

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
/// thread against 1 process x 2 threads (paired, interleaved rounds of passes of two long-lived children), the
/// all-reduce's share of a ResNet-20 batch-128 step on 2 ranks with the waiting for the slower rank apart, and a cost
/// model for N ranks from the measured all-reduce time per size.
/// </summary>
internal static class DataParallelBench
{
    // ---- child side (started by the parent, under mpirun or alone) --------------------------------------------------

    /// <summary>
    /// <c>child-step-serve steps [--native-heap system|retain] [--memory-format nchw|channels-last] commandFile</c>: a
    /// long-lived step process (under mpirun, or alone), ResNet-20, global batch 128, base only (by default NCHW and
    /// glibc's own heap settings, as TrainerOptions). Every line "pass" of the command file (the last argument; every rank
    /// reads it) times one pass of <c>steps</c> steps; rank 0 answers with one JSON line:
    /// its seconds, and, split from every rank's per-step timings, the hook's local work, the transfer (the time the
    /// last-arriving rank spends in the collectives) and each rank's waiting for the slower one. A line "end" ends it.
    /// </summary>
    public static int ChildServe(string[] a)
    {
        var steps = int.Parse(a[0], CultureInfo.InvariantCulture);
        var commands = a[^1];
        string? Option(string name) => a.Take(a.Length - 1).SkipWhile(x => x != name).Skip(1).FirstOrDefault();
        var heap = Option("--native-heap") switch
        {
            null or "system" => NativeHeapPolicy.System,
            "retain" => NativeHeapPolicy.Retain,
            var other => throw new ArgumentException($"child-step-serve: unknown --native-heap '{other}' (system or retain)"),
        };
        var format = Option("--memory-format") switch
        {
            null or "nchw" => MemoryFormat.Contiguous,
            "channels-last" => MemoryFormat.ChannelsLast,
            var other => throw new ArgumentException($"child-step-serve: unknown --memory-format '{other}' (nchw or channels-last)"),
        };
        using var world = Communicators.FromEnvironment();
        var (loader, _) = Workloads.FashionAsCifar(128 * steps, 128);
        var (warm, _) = Workloads.FashionAsCifar(128 * 2, 128);
        using (loader)
        using (warm)
        {
            using var t = MotivationTrainer.Create(Workloads.ResNet, new TrainerOptions
            {
                Optimizer = OptimizerOptions.PaperSgd(0.1), Condition = new Never(), Seed = 1, Communicator = world,
                NativeHeap = heap, MemoryFormat = format,
            });
            t.Fit(warm, null, 1); // first-call costs (JIT, oneDNN primitives, bucket buffers) out of the timed part
            if (world.Rank == 0) Console.Error.WriteLine($"native heap {NativeHeap.State} ({NativeHeap.Library ?? "untouched"}), {format}");
            for (var pass = 0; ; pass++)
            {
                // Every rank waits for the next command by polling the command file, asleep: a rank blocked in a
                // collective while rank 0 waited on its standard input would busy-poll (Open MPI's shared memory) and
                // steal the cores of the other arm's pass (measured: the 1-process arm ran 2.8x slower beside it).
                Span<double> go = [NextCommand(commands, pass) == "pass" ? 1 : 0];
                world.AllReduceSum(go);
                if (go[0] != world.Size) return 0;
                var timings = new List<StepCommunication>();
                if (t.Parallel is { } p) p.StepTimings = timings;
                var hookBefore = t.Parallel?.CommunicationSeconds ?? 0;
                var faultsBefore = Machine.MinorFaults();
                world.Barrier();
                var seconds = Clock.Seconds(() => t.Fit(loader, null, t.CompletedEpochs + 1));
                var hook = (t.Parallel?.CommunicationSeconds ?? 0) - hookBefore;
                var split = Split(world, timings, seconds, steps);
                if (world.Rank == 0)
                {
                    split["ranks"] = world.Size; split["threads"] = get_num_threads(); split["steps"] = steps;
                    split["seconds"] = seconds; split["hookSeconds"] = hook;
                    split["minorFaults"] = Machine.MinorFaults() - faultsBefore; split["nativeHeap"] = NativeHeap.State.ToString();
                    split["gradientAllReduces"] = t.Parallel?.GradientAllReduces ?? 0;
                    Console.WriteLine(split.ToJsonString());
                }
            }
        }
    }

    /// <summary>Line <paramref name="index"/> of the command file, once the parent has written it (polled every 2 ms).</summary>
    private static string NextCommand(string path, int index)
    {
        while (true)
        {
            var lines = File.ReadAllText(path).Split('\n');
            if (lines.Length > index + 1) return lines[index].Trim();   // a line counts once its newline is written
            Thread.Sleep(2);
        }
    }

    /// <summary>
    /// Every rank's per-step (local, collective) seconds, summed into one table on every rank. Per step, the rank that
    /// arrives last at the collectives spends only the transfer in them; every other rank's excess over that minimum is
    /// waiting for the slower rank (load imbalance). Returns rank 0's local + transfer seconds and every rank's waiting.
    /// </summary>
    private static JsonObject Split(ICommunicator world, List<StepCommunication> timings, double seconds, int steps)
    {
        if (world.Size == 1) return new JsonObject { ["localSeconds"] = 0.0, ["transferSeconds"] = 0.0, ["waitingSecondsPerRank"] = new JsonArray(0.0), ["rankSeconds"] = new JsonArray(seconds) };
        if (timings.Count != steps) throw new InvalidOperationException($"rank {world.Rank} timed {timings.Count} hook calls in {steps} steps");
        var width = 2 * steps + 1;
        using var scope = NewDisposeScope();
        var table = zeros(world.Size * width, ScalarType.Float64);
        var row = new double[width];
        for (var s = 0; s < steps; s++) { row[2 * s] = timings[s].LocalSeconds; row[2 * s + 1] = timings[s].CollectiveSeconds; }
        row[^1] = seconds;
        table.narrow(0, world.Rank * width, width).copy_(tensor(row));
        world.AllReduceSum(table);
        var all = table.data<double>().ToArray();
        var local0 = Enumerable.Range(0, steps).Sum(s => all[2 * s]);
        var (transfer, waiting) = CommunicationSplit.Of(Enumerable.Range(0, world.Size)
            .Select(r => (IReadOnlyList<double>)Enumerable.Range(0, steps).Select(s => all[r * width + 2 * s + 1]).ToArray()).ToArray());
        return new JsonObject
        {
            ["localSeconds"] = local0, ["transferSeconds"] = transfer,
            ["waitingSecondsPerRank"] = new JsonArray(waiting.Select(w => (JsonNode)w).ToArray()),
            ["rankSeconds"] = new JsonArray(Enumerable.Range(0, world.Size).Select(r => (JsonNode)all[r * width + width - 1]).ToArray()),
        };
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
        // The per-step scalars (loss x samples, samples, active model) the trainer all-reduces before the gradient bucket.
        Span<double> scalars = [1, 2, 3];
        for (var i = 0; i < 100; i++) world.AllReduceSum(scalars);
        world.Barrier();
        var scalarTimes = new List<double>();
        for (var r = 0; r < 5; r++)
        {
            var t0 = Stopwatch.GetTimestamp();
            for (var i = 0; i < 1000; i++) world.AllReduceSum(scalars);
            scalarTimes.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds / 1000);
        }
        if (world.Rank == 0)
            Console.WriteLine(new JsonObject { ["ranks"] = world.Size, ["sizes"] = sizes, ["scalarSeconds"] = scalarTimes.Order().ElementAt(2) }.ToJsonString());
        return 0;
    }

    // ---- parent side -------------------------------------------------------------------------------------------------

    public static IEnumerable<Figure> Run(Config c)
    {
        if (ServedChild.FindMpirun() is null)
        {
            Console.Error.WriteLine("  mpi: mpirun not found (apt-get install openmpi-bin libopenmpi-dev); group skipped");
            yield break;
        }
        var steps = c.Quick ? 4 : 10;
        var step2x1 = new List<JsonObject>();
        var step1x2 = new List<JsonObject>();
        var arg = steps.ToString(CultureInfo.InvariantCulture);
        using (var twoRanks = new ServedChild(ranks: 2, threads: 1, "child-step-serve", arg))
        using (var oneProcess = new ServedChild(ranks: 0, threads: 2, "child-step-serve", arg))
        {
            twoRanks.Pass();   // warm-up pass of each (allocator, caches), not recorded
            oneProcess.Pass();
            var rounds = new PairedRounds(
            [
                ("2 ranks x 1 thread", () => twoRanks.Pass(step2x1)),
                ("1 process x 2 threads", () => oneProcess.Pass(step1x2)),
            ]);
            var plan = c.Plan();
            rounds.Run(plan, r => [r.Ratio("1 process x 2 threads", "2 ranks x 1 thread")],
                (i, s) => Console.Error.WriteLine($"  mpi round {i + 1} (max {plan.MaxRounds}): 2x1 {s[0]:F2} s, 1x2 {s[1]:F2} s for {steps} steps, "
                    + $"transfer {Share(step2x1[^1], "transferSeconds"):P2}, waiting {Share(step2x1[^1], "waitingSeconds"):P2}  load {Machine.LoadAverage()[0]:F1}"));
            var throughput = rounds.Ratio("1 process x 2 threads", "2 ranks x 1 thread");
            yield return IntervalFigure("mpi: throughput 2 ranks x 1 thread / 1 process x 2 threads (ResNet-20, batch 128)", throughput,
                ">= 1.0 (whole CI)", throughput.MeetsAtLeast(1.0), new JsonObject
                {
                    ["steps"] = steps, ["plan"] = $"paired rounds of long-lived children: min {plan.MinRounds}, max {plan.MaxRounds}, stop at +-{plan.TargetHalfWidth:P0}",
                    ["twoRanks"] = new JsonArray(step2x1.Select(j => (JsonNode)j.DeepClone()).ToArray()),
                    ["oneProcess"] = new JsonArray(step1x2.Select(j => (JsonNode)j.DeepClone()).ToArray()),
                });
        }

        var stepSeconds = step2x1.Select(j => j["seconds"]!.GetValue<double>() / steps).Order().ElementAt(step2x1.Count / 2);
        var details = new JsonObject { ["medianStepSeconds"] = stepSeconds };
        var transfer = RatioInterval.Of(step2x1.Select(j => Share(j, "transferSeconds")));
        yield return IntervalFigure("mpi: all-reduce share of a 2-rank ResNet-20 batch-128 step (communication: loss + gradient bucket, packing and transfer, without waiting)",
            transfer, "<= 0.05 (whole CI)", transfer.MeetsAtMost(0.05), details.DeepClone().AsObject());
        var waiting = RatioInterval.Of(step2x1.Select(j => Share(j, "waitingSeconds")));
        yield return IntervalFigure("mpi: waiting for the slower rank at the all-reduce, share of a 2-rank step (load imbalance, mean over ranks)",
            waiting, "(reported; not communication)", null, details.DeepClone().AsObject());
        var hook = RatioInterval.Of(step2x1.Select(j => Share(j, "hookSeconds")));
        yield return IntervalFigure("mpi: rank 0's time in the all-reduce hook, share of a 2-rank step (communication + rank 0's waiting: the figure measured before)",
            hook, "<= 0.05 (whole CI)", hook.MeetsAtMost(0.05), details.DeepClone().AsObject());

        var allReduce = Child(ranks: 2, threads: 1, "child-mpi-allreduce");
        foreach (var f in CostModel(allReduce, stepSeconds)) yield return f;
    }

    /// <summary>
    /// Share of rank 0's pass time: local + transfer for "transferSeconds", the ranks' mean waiting for
    /// "waitingSeconds", the hook's whole time for "hookSeconds".
    /// </summary>
    private static double Share(JsonObject pass, string what)
    {
        var seconds = pass["seconds"]!.GetValue<double>();
        return what switch
        {
            "transferSeconds" => (pass["localSeconds"]!.GetValue<double>() + pass["transferSeconds"]!.GetValue<double>()) / seconds,
            "waitingSeconds" => pass["waitingSecondsPerRank"]!.AsArray().Average(w => w!.GetValue<double>()) / seconds,
            _ => pass[what]!.GetValue<double>() / seconds,
        };
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
        yield return new Figure
        {
            Name = "mpi: all-reduce of the 3 per-step scalars (loss, samples, active model), 2 ranks: what fusing them into the gradient bucket would save per step",
            Value = Spread.Of([measured["scalarSeconds"]!.GetValue<double>() * 1e6]), Unit = "us",
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

    private static Figure IntervalFigure(string name, RatioInterval ci, string goal, bool? met, JsonObject details)
    {
        details["ci95"] = ci.Json();
        return new Figure
        {
            Name = $"{name}; 95 % CI {ci.Text("F3")}, {ci.Pairs} pairs", Value = new Spread(ci.Lower, ci.Ratio, ci.Upper, ci.Pairs), Unit = "ratio",
            Goal = goal, Met = met, Format = "F3", Details = details,
        };
    }

    private static JsonObject Child(int ranks, int threads, params string[] args)
    {
        using var p = Process.Start(ServedChild.Start(ranks, threads, args))!;
        var err = p.StandardError.ReadToEndAsync();
        var o = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"child {string.Join(' ', args)} on {ranks} rank(s) failed ({p.ExitCode}): {o}{err.Result}");
        var json = o.Split('\n').Select(l => l.Trim()).Last(l => l.StartsWith('{'));
        return JsonNode.Parse(json)!.AsObject();
    }
}

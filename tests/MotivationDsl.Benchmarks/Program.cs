using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace MotivationDsl.Benchmarks;

/// <summary>
/// dotnet run -c Release --project tests/MotivationDsl.Benchmarks -- all [--quick] [--threads N] [--repeats R] [--max-rounds N] [--out DIR]
/// Groups: step (trainer overhead, PyTorch, peak fraction; paired rounds with 95 % intervals), layout (NCHW vs
/// channels-last, trainer and PyTorch, per family), heap (retained vs system native heap, separate processes; not in all), switch, runs (motivated vs classical large), memory,
/// generator, micro (BenchmarkDotNet), mpi (data-parallel over Open MPI; not in all), all. Prints a table and writes
/// artifacts/benchmarks/{group}-{time}.json and latest.json.
/// `profile` (not a group): forward / backward / optimizer-step sections of a ResNet-20 step, TorchSharp vs PyTorch.
/// </summary>
public static class Program
{
    internal static int Threads = Environment.ProcessorCount;

    private static readonly string[] AllGroups = ["step", "layout", "switch", "runs", "memory", "micro", "generator"];

    public static int Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var list = args.ToList();
        var quick = list.Remove("--quick");
        int Opt(string name, int def)
        {
            var i = list.IndexOf(name);
            if (i < 0) return def;
            var v = int.Parse(list[i + 1], CultureInfo.InvariantCulture);
            list.RemoveRange(i, 2);
            return v;
        }
        string? OptS(string name)
        {
            var i = list.IndexOf(name);
            if (i < 0) return null;
            var v = list[i + 1];
            list.RemoveRange(i, 2);
            return v;
        }
        Threads = Opt("--threads", Environment.ProcessorCount);
        var repeats = Opt("--repeats", quick ? 2 : 3);
        var outDir = OptS("--out");
        var maxRounds = OptS("--max-rounds") is { } mr ? int.Parse(mr, CultureInfo.InvariantCulture) : (int?)null;
        if (maxRounds is < 2)
        {
            Console.Error.WriteLine($"--max-rounds must be at least 2 (an interval needs two pairs), got {maxRounds}");
            return 2;
        }
        set_num_threads(Threads);
        set_num_interop_threads(1);

        if (list.Count > 0 && list[0] == "child-run") return Runs.ChildRun(list.Skip(1).ToArray());
        if (list.Count > 0 && list[0] == "diag") return Diag.Run();
        if (list.Count > 0 && list[0] == "child-memory") return Runs.ChildMemory(list.Skip(1).ToArray());
        if (list.Count > 0 && list[0] == "child-step-serve") return DataParallelBench.ChildServe(list.Skip(1).ToArray());
        if (list.Count > 0 && list[0] == "child-mpi-allreduce") return DataParallelBench.ChildAllReduce(list.Skip(1).ToArray());

        var root = FindRoot();
        var config = new Config(quick, Threads, repeats, root, maxRounds);
        if (list.Count > 0 && list[0] == "profile") return StepProfile.Run(config);
        var groups = list.Count == 0 || list.Contains("all") ? AllGroups : list.ToArray();
        var unknown = groups.Except(AllGroups).Except(["heap", "mpi"]).ToArray();
        if (unknown.Length > 0)
        {
            Console.Error.WriteLine($"unknown group(s): {string.Join(", ", unknown)}; groups: {string.Join(", ", AllGroups)}, all, heap, mpi; options: --quick --threads N --repeats R --max-rounds N --out DIR");
            return 2;
        }
        outDir ??= Path.Combine(root, "artifacts", "benchmarks");
        Directory.CreateDirectory(outDir);
        var machine = Machine.Describe();
        var cpu = Machine.CpuInfo();
        Console.WriteLine($"MotivationDsl benchmarks ({(quick ? "quick" : "full")}), {cpu.Model}, torch threads {Threads}, load {string.Join(" ", Machine.LoadAverage())}");
        Console.WriteLine($"peak FP32: {cpu.Derivation}");
        var figures = new List<(string Group, Figure F)>();
        var started = DateTime.UtcNow;
        var name = $"{string.Join('+', groups)}{(quick ? "-quick" : "")}-{started:yyyyMMdd-HHmmss}.json";
        var groupsDone = 0;
        void Save()
        {
            var json = new JsonObject
            {
                ["command"] = "dotnet run -c Release --project tests/MotivationDsl.Benchmarks -- " + string.Join(' ', args),
                ["startedUtc"] = started.ToString("O"), ["seconds"] = (DateTime.UtcNow - started).TotalSeconds, ["quick"] = quick, ["repeats"] = repeats, ["maxRounds"] = maxRounds,
                ["complete"] = groupsDone == groups.Length,
                ["machine"] = machine.DeepClone(), ["loadAverageAtEnd"] = new JsonArray(Machine.LoadAverage().Select(x => (JsonNode)x).ToArray()),
                ["figures"] = new JsonArray(figures.Select(x => { var j = x.F.Json(); j["group"] = x.Group; return (JsonNode)j; }).ToArray()),
            };
            var text = json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
            File.WriteAllText(Path.Combine(outDir, name), text);
            File.WriteAllText(Path.Combine(outDir, "latest.json"), text);
        }
        foreach (var g in groups)
        {
            Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {g} ...");
            IEnumerable<Figure> run = g switch
            {
                "step" => Macro.Step(config),
                "layout" => Layout.Run(config),
                "heap" => HeapBench.Run(config),
                "switch" => Macro.Switch(config),
                "runs" => Runs.MotivatedVsClassical(config),
                "memory" => Runs.Memory(config),
                "micro" => Micro.Run(config),
                "generator" => GeneratorBench.Run(config),
                "mpi" => DataParallelBench.Run(config),
                _ => [],
            };
            try
            {
                foreach (var f in run)
                {
                    f.LoadAfter = Machine.LoadAverage();
                    figures.Add((g, f));
                    Save();   // long groups (layout) keep every figure already measured if interrupted
                }
            }
            catch (Exception ex)
            {
                // One failing group does not lose the others' figures.
                Console.Error.WriteLine($"  {g} FAILED: {ex}");
                figures.Add((g, new Figure { Name = $"{g}: FAILED ({ex.GetType().Name}: {ex.Message.Split('\n')[0]})", Value = Spread.Of([]), Unit = "", Met = false }));
            }
            groupsDone++;
            Save();   // after every group: an interrupted run keeps what it measured
        }
        var table = Table(figures);
        Console.WriteLine();
        Console.WriteLine(table);
        Save();
        Console.WriteLine($"wrote {Path.Combine(outDir, name)}");
        return 0;
    }

    private static string Table(List<(string Group, Figure F)> figures)
    {
        var rows = figures.Select(x => new[]
        {
            x.F.Name,
            x.F.Interval is { } ci ? $"{ci.Text(x.F.Format)} (95% CI, {ci.Pairs} pairs, +-{ci.HalfWidth:P1})"
            : x.F.Difference is { } d ? $"{d.Text(x.F.Format)} (95% CI, {d.Pairs} pairs); median {x.F.Value.Text(x.F.Format)}"
            : x.F.Value.Text(x.F.Format),
            x.F.Unit, x.F.Goal ?? "", x.F.Met switch { true => "yes", false => "NO", _ => "" },
            $"{x.F.LoadBefore[0]:F1}/{x.F.LoadAfter[0]:F1}",
        }).ToList();
        var header = new[] { "figure", "median [min..max], or paired ratio / mean difference [95% CI]", "unit", "goal", "met", "load 1m before/after" };
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        string Line(string[] cells) => "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";
        var sb = new System.Text.StringBuilder();
        sb.AppendLine(Line(header));
        sb.AppendLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var r in rows) sb.AppendLine(Line(r));
        return sb.ToString();
    }

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MotivationDsl.sln"))) return d.FullName;
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MotivationDsl.sln"))) return d.FullName;
        throw new InvalidOperationException("Run inside the MotivationDsl repository (MotivationDsl.sln not found).");
    }
}

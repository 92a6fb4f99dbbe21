using System.Globalization;
using MotivationDsl.Data;

namespace MotivationDsl.Experiments;

/// <summary>
/// Command line of the experiment runner: <c>run</c> (the protocol) and <c>transfer</c> (fine-tuning from a checkpoint).
/// An application that declares its model families calls <c>ExperimentCli.Run(args, Family.Definition, ...)</c>.
/// See docs/experiments.md.
/// </summary>
public static class ExperimentCli
{
    public static int Run(string[] args, params ScalableModelDefinition[] definitions)
    {
        try
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help") { Console.WriteLine(Help(definitions)); return 0; }
            var opts = Options.Parse(args.Skip(1));
            return args[0] switch
            {
                "run" => RunProtocol(opts, definitions, args),
                "transfer" => TransferCommand.Run(opts, definitions),
                _ => throw new ArgumentException($"Unknown command '{args[0]}'. {Help(definitions)}"),
            };
        }
        catch (Exception e) when (e is ArgumentException or ConfigMismatchException or FileNotFoundException or DirectoryNotFoundException
                                       or DatasetFormatException or InvalidOperationException or Training.Checkpoints.CheckpointMismatchException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    public static string Help(IEnumerable<ScalableModelDefinition> defs) => $"""
        usage: <app> run --model NAME --name EXPERIMENT [options]
               <app> transfer --model NAME --source CHECKPOINT [options]
        models: {string.Join(", ", defs.Select(d => d.Name))}
        run options: --data DIR (default /usr/share/datasets/fashion-mnist, else the embedded sample) --train-limit N --test-limit N
                     --epochs E --seeds 1,2,3 --batch 128 --optimizer sgd|adamw --lr 0.1 --momentum 0.9 --wd 5e-4
                     --schedule cosine|constant --warmup 0 --k 2 --crop 0 --flip --ablations --threads 1 --eval-every-epoch
                     --growth-model NAME (also run X-F: the same architecture declared with function-preserving growth)
                     --work DIR (default runs/experiments/NAME) --out DIR (default results)
        transfer options: see docs/experiments.md
        """;

    internal sealed class Options
    {
        private readonly Dictionary<string, string?> _v = new(StringComparer.Ordinal);
        private readonly HashSet<string> _used = [];

        public static Options Parse(IEnumerable<string> args)
        {
            var o = new Options();
            var list = args.ToList();
            for (int i = 0; i < list.Count; i++)
            {
                var a = list[i];
                if (!a.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{a}'.");
                var key = a[2..];
                string? val = null;
                var eq = key.IndexOf('=');
                if (eq >= 0) { val = key[(eq + 1)..]; key = key[..eq]; }
                else if (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal)) val = list[++i];
                o._v[key] = val;
            }
            return o;
        }

        public string? Str(string key, string? def = null) { _used.Add(key); return _v.TryGetValue(key, out var v) ? v ?? throw new ArgumentException($"--{key} needs a value.") : def; }
        public string Req(string key) => Str(key) ?? throw new ArgumentException($"--{key} is required.");
        public bool Flag(string key) { _used.Add(key); return _v.TryGetValue(key, out var v) && (v is null || bool.Parse(v)); }
        public int Int(string key, int def) => Str(key) is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : def;
        public int? IntOrNull(string key) => Str(key) is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : null;
        public double Dbl(string key, double def) => Str(key) is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : def;
        public IReadOnlyList<long> Longs(string key, IReadOnlyList<long> def) =>
            Str(key) is { } s ? s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToList() : def;
        public IReadOnlyList<int>? Ints(string key) =>
            Str(key) is { } s ? s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToList() : null;

        public void EnsureAllUsed()
        {
            var unknown = _v.Keys.Where(k => !_used.Contains(k)).ToList();
            if (unknown.Count > 0) throw new ArgumentException($"Unknown option(s): {string.Join(", ", unknown.Select(k => "--" + k))}.");
        }
    }

    internal static ScalableModelDefinition Find(IEnumerable<ScalableModelDefinition> defs, string name, string option = "model") =>
        defs.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? defs.FirstOrDefault(d => string.Equals(d.Name.Split('.')[^1], name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown model '{name}' (--{option}); known: {string.Join(", ", defs.Select(d => d.Name))}.");

    internal static DatasetPair LoadData(string? dir) => dir is null ? Datasets.FashionMnist() : Datasets.Load(dir);

    /// <summary>Balanced subset: the first limit / classes images of every class (file order), or everything.</summary>
    internal static ImageDataset Limit(ImageDataset d, int? limit) =>
        limit is { } n && n < d.Count ? d.Balanced(Math.Max(1, n / d.NumClasses)) : d;

    public static string Machine()
    {
        string model = "?";
        try { model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"; } catch (IOException) { }
        string load = "?";
        try { load = File.ReadAllText("/proc/loadavg").Trim(); } catch (IOException) { }
        return $"{model}, {Environment.ProcessorCount} logical CPU(s), {Environment.OSVersion}, .NET {Environment.Version}; load average at start: {load}";
    }

    private static int RunProtocol(Options o, ScalableModelDefinition[] defs, string[] rawArgs)
    {
        var def = Find(defs, o.Req("model"));
        var growth = o.Str("growth-model") is { } g ? Find(defs, g, "growth-model") : null;
        var name = o.Req("name");
        var dataDir = o.Str("data");
        var trainLimit = o.IntOrNull("train-limit");
        var testLimit = o.IntOrNull("test-limit");
        var epochs = o.Int("epochs", 10);
        var config = new ExperimentConfig
        {
            Name = name, Model = def.Name, BaseVariant = def.BaseVariant, MotivatedVariant = def.MotivatedVariant,
            Data = "", TrainLimit = trainLimit, TestLimit = testLimit, Epochs = epochs,
            Seeds = o.Longs("seeds", [1, 2, 3]), BatchSize = o.Int("batch", 128), Optimizer = o.Str("optimizer", "sgd")!,
            LearningRate = o.Dbl("lr", 0.1), Momentum = o.Dbl("momentum", 0.9), WeightDecay = o.Dbl("wd", 5e-4),
            Schedule = o.Str("schedule", "cosine")!, WarmupEpochs = o.Int("warmup", 0), K = o.Int("k", 2),
            CropPadding = o.Int("crop", 0), HorizontalFlip = o.Flag("flip"), Ablations = o.Flag("ablations"),
            Threads = o.Int("threads", 1), EvalEveryEpoch = o.Flag("eval-every-epoch"), GrowthModel = growth?.Name, EqualFlops = o.Flag("equal-flops"),
            FirstRandomModel = o.Str("ablation-first-random") is { } fr ? Find(defs, fr, "ablation-first-random").Name : null,
            LastIdentityModel = o.Str("ablation-last-identity") is { } li ? Find(defs, li, "ablation-last-identity").Name : null,
        };
        if (growth is not null) ExperimentRunner.CheckSameArchitecture(def, growth, config);
        ExperimentRunner.CheckAblationModel(def, config, config.FirstRandomModel, defs, identity: false, "first-l");
        ExperimentRunner.CheckAblationModel(def, config, config.LastIdentityModel, defs, identity: true, "last-to-last");
        var work = o.Str("work", Path.Combine("runs", "experiments", name))!;
        var outDir = o.Str("out", "results")!;
        o.EnsureAllUsed();

        using var pair = LoadData(dataDir);
        var train = Limit(pair.Train, trainLimit);
        var test = Limit(pair.Test, testLimit);
        var shape = def.GetVariant(def.BaseVariant);
        config = config with { Data = $"{pair.Train.Source} (train {train.Count} images, test {test.Count} images, balanced first-N per class)" };
        var norm = Normalization.FromDataset(train);
        if (pair.Train.Source.Contains("fashion", StringComparison.OrdinalIgnoreCase) || dataDir is null) norm = Normalization.FashionMnist;

        var command = "dotnet run -c Release --project examples/Experiments -- " + string.Join(' ', rawArgs.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));
        var machine = Machine();
        var runner = new ExperimentRunner(def, config, new ExperimentData(train, test, norm), work, Console.Out, growth, defs);
        Console.WriteLine($"experiment {name}: {def}{(growth is null ? "" : $" and {growth.Name} (function-preserving growth)")}, {config.Data}; config hash {config.Hash()}; work {work}");
        runner.JobFinished = recs => ResultsWriter.Write(outDir, Aggregation.Summarize(config, runner.ConfigHash, recs), command, machine);
        var records = runner.Run();
        var summary = Aggregation.Summarize(config, runner.ConfigHash, records);
        var files = ResultsWriter.Write(outDir, summary, command, machine);
        Console.WriteLine(ResultsWriter.Table(summary));
        Console.WriteLine("wrote " + string.Join(", ", files));
        return 0;
    }
}

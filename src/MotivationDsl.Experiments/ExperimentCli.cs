using System.CommandLine;
using System.Globalization;
using MotivationDsl.Data;
using MotivationDsl.Training;

namespace MotivationDsl.Experiments;

/// <summary>
/// Command line of the experiment runner: <c>run</c> (the protocol), <c>transfer</c> (fine-tuning from a checkpoint) and
/// <c>recalibrate-bn</c> (finished jobs re-evaluated after re-estimating BatchNorm statistics).
/// An application that declares its model families calls <c>ExperimentCli.Run(args, Family.Definition, ...)</c>.
/// See docs/experiments.md.
/// </summary>
public static class ExperimentCli
{
    public static int Run(string[] args, params ScalableModelDefinition[] definitions)
    {
        if (args.Length == 0 || args[0] == "help") { Console.WriteLine(Help(definitions)); return 0; }
        var root = Root(definitions, args);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && !args.Any(a => a is "--help" or "-h" or "-?"))
        {
            // Usage errors (unknown option or command, a value that does not parse, a missing required option): one
            // error line each and exit code 2, like every other user error.
            foreach (var e in parsed.Errors) Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine("Run with --help for usage.");
            return 2;
        }
        return parsed.Invoke();
    }

    /// <summary>Runs a command body; the user errors it raises become one <c>error:</c> line and exit code 2.</summary>
    internal static int Guard(Func<int> body)
    {
        try { return body(); }
        catch (Exception e) when (e is ArgumentException or ConfigMismatchException or FileNotFoundException or DirectoryNotFoundException
                                       or DatasetFormatException or InvalidOperationException or Training.Checkpoints.CheckpointMismatchException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    internal static RootCommand Root(ScalableModelDefinition[] definitions, string[] rawArgs)
    {
        var root = new RootCommand("The paper's experiment protocol and transfer learning over this application's model families (docs/experiments.md).");
        root.Add(RunCommand(definitions, rawArgs));
        root.Add(TransferCommand.Create(definitions));
        root.Add(RecalibrateBnCommand.Create(definitions, rawArgs));
        return root;
    }

    /// <summary>The usage: commands, their options (from the command definitions) and the models.</summary>
    public static string Help(IEnumerable<ScalableModelDefinition> defs)
    {
        var list = defs.ToArray();
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("usage: <app> run --model NAME --name EXPERIMENT [options]");
        sb.AppendLine("       <app> transfer --model NAME --source CHECKPOINT --classes 5,6,... [options]");
        sb.AppendLine("       <app> recalibrate-bn --work DIR [--batches N] [--jobs x-f-seed4,...] [options]");
        sb.AppendLine($"models: {string.Join(", ", list.Select(d => d.Name))}");
        foreach (var command in Root(list, []).Subcommands)
        {
            sb.AppendLine($"{command.Name} options:");
            foreach (var o in command.Options.Where(o => o.Name.StartsWith("--", StringComparison.Ordinal)))
                sb.AppendLine($"  {o.Name}{(o.ValueType == typeof(bool) ? "" : " " + o.HelpName)}  {o.Description}");
        }
        return sb.ToString();
    }

    internal static Option<T> Opt<T>(string name, string help, string value, T def) =>
        new(name) { Description = help, HelpName = value, DefaultValueFactory = _ => def };

    internal static Option<string?> OptString(string name, string help, string value) => new(name) { Description = help, HelpName = value };

    internal static Option<int?> OptInt(string name, string help, string value) => new(name) { Description = help, HelpName = value };

    internal static Option<bool> Flag(string name, string help) => new(name) { Description = help };

    internal static Option<string> Required(string name, string help, string value) => new(name) { Description = help, HelpName = value, Required = true };

    /// <summary>An integer option that must be at least <paramref name="min"/>.</summary>
    internal static Option<int> AtLeast(this Option<int> o, int min)
    {
        o.Validators.Add(r => CheckAtLeast(r, o.Name, min));
        return o;
    }

    internal static Option<int?> AtLeast(this Option<int?> o, int min)
    {
        o.Validators.Add(r => CheckAtLeast(r, o.Name, min));
        return o;
    }

    // Validators also run when the value did not parse (that error is reported already): look at the token only.
    private static void CheckAtLeast(System.CommandLine.Parsing.OptionResult r, string name, int min)
    {
        if (r.Tokens.Count == 1 && int.TryParse(r.Tokens[0].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v < min)
            r.AddError($"{name} must be at least {min}, not {v}.");
    }

    /// <summary>A comma-separated list of integers (<c>1,2,3</c>); anything else is a parse error naming the option.</summary>
    internal static Option<IReadOnlyList<long>> LongList(string name, string help, IReadOnlyList<long>? def)
    {
        var o = new Option<IReadOnlyList<long>>(name)
        {
            Description = help, HelpName = "1,2,3",
            CustomParser = r =>
            {
                var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : string.Join(",", r.Tokens.Select(t => t.Value));
                var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var values = new List<long>();
                foreach (var p in parts)
                {
                    if (!long.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
                    {
                        r.AddError($"{name} must be a comma-separated list of integers, not '{text}'.");
                        return null;
                    }
                    values.Add(v);
                }
                if (values.Count == 0) r.AddError($"{name} needs at least one value.");
                return values;
            },
        };
        if (def is not null) o.DefaultValueFactory = _ => def;
        return o;
    }

    private static Command RunCommand(ScalableModelDefinition[] defs, string[] rawArgs)
    {
        var model = Required("--model", "a declared family (full or short class name)", "NAME");
        var name = Required("--name", "experiment name: output file names and default work folder", "NAME");
        var data = OptString("--data", "images: data folder (default /usr/share/datasets/fashion-mnist, else the embedded sample); " +
            "a language model: a text file or folder of *.txt, or 'sample' (default python3-doc's text, else the embedded sample)", "DIR");
        var trainLimit = OptInt("--train-limit", "class-balanced training subset; a language model: training windows per epoch", "N").AtLeast(1);
        var testLimit = OptInt("--test-limit", "class-balanced test subset; a language model: held-out windows", "N").AtLeast(1);
        var epochs = Opt("--epochs", "epochs per job", "E", 10).AtLeast(1);
        var seeds = LongList("--seeds", "seeds, fixed in advance", [1, 2, 3]);
        var batch = Opt("--batch", "batch size", "B", 128).AtLeast(1);
        var optimizer = Opt("--optimizer", "the optimizer", string.Join('|', TrainingRecipe.Optimizers), "sgd").AcceptOnlyFromAmong([.. TrainingRecipe.Optimizers]);
        var lr = Opt("--lr", "learning rate", "LR", 0.1);
        var momentum = Opt("--momentum", "SGD momentum", "M", 0.9);
        var wd = Opt("--wd", "weight decay", "WD", 5e-4);
        var schedule = Opt("--schedule", "per-step LR schedule", string.Join('|', TrainingRecipe.Schedules), "cosine").AcceptOnlyFromAmong([.. TrainingRecipe.Schedules]);
        var warmup = Opt("--warmup", "warm-up epochs", "E", 0).AtLeast(0);
        var k = Opt("--k", "k of the loss-decrease trigger", "K", 2).AtLeast(1);
        var clip = new Option<double?>("--clip") { Description = "clip the active model's gradient to this global L2 norm (default: no clipping)", HelpName = "NORM" };
        clip.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && double.TryParse(r.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && !(c > 0 && double.IsFinite(c)))
                r.AddError($"--clip must be a positive number, not {r.Tokens[0].Value}.");
        });
        var crop = Opt("--crop", "random-crop padding", "P", 0).AtLeast(0);
        var flip = Flag("--flip", "random horizontal flips");
        var ablations = Flag("--ablations", "also the x-r and x-e jobs");
        var threads = Opt("--threads", "torch threads (exact resume needs the same value)", "T", 1).AtLeast(1);
        var evalEvery = Flag("--eval-every-epoch", "evaluate both models after every epoch");
        var growthModel = OptString("--growth-model", "also run X-F: the same architecture declared with function-preserving growth (the model itself when it declares its pair under both rules)", "NAME");
        var equalFlops = Flag("--equal-flops", "also run X-C=F and Y-C=F: classical runs with the motivated run's training FLOPs");
        var learned = Flag("--learned-trigger", "also run X-L (the learned trigger) and X-LR (random at its share)");
        var firstRandom = OptString("--ablation-first-random", "growth-ablation cell X-FR: the architecture with first-l placement and random extra blocks", "NAME");
        var lastIdentity = OptString("--ablation-last-identity", "growth-ablation cell X-LI: last-to-last placement and identity extra blocks", "NAME");
        var work = OptString("--work", "work folder (default runs/experiments/NAME)", "DIR");
        var outDir = Opt("--out", "where the results are written", "DIR", "results");
        var command = new Command("run", "Run (or resume) the protocol for every seed and write the results.")
        {
            model, name, data, trainLimit, testLimit, epochs, seeds, batch, optimizer, lr, momentum, wd, schedule, warmup, k, clip, crop, flip,
            ablations, threads, evalEvery, growthModel, equalFlops, learned, firstRandom, lastIdentity, work, outDir,
        };
        command.SetAction(p => Guard(() =>
        {
            var def = Find(defs, p.GetValue(model)!);
            var growth = p.GetValue(growthModel) is { } g ? GrowthDefinition(def, Find(defs, g, "growth-model")) : null;
            var config = new ExperimentConfig
            {
                Name = p.GetValue(name)!, Model = def.Name, Task = def.ModelTask, BaseVariant = def.BaseVariant, MotivatedVariant = def.MotivatedVariant,
                Data = "", TrainLimit = p.GetValue(trainLimit), TestLimit = p.GetValue(testLimit), Epochs = p.GetValue(epochs),
                Seeds = p.GetValue(seeds)!, BatchSize = p.GetValue(batch), Optimizer = p.GetValue(optimizer)!,
                LearningRate = p.GetValue(lr), Momentum = p.GetValue(momentum), WeightDecay = p.GetValue(wd),
                Schedule = p.GetValue(schedule)!, WarmupEpochs = p.GetValue(warmup), K = p.GetValue(k), MaxGradientNorm = p.GetValue(clip),
                CropPadding = p.GetValue(crop), HorizontalFlip = p.GetValue(flip), Ablations = p.GetValue(ablations),
                Threads = p.GetValue(threads), EvalEveryEpoch = p.GetValue(evalEvery), GrowthModel = growth?.Name,
                EqualFlops = p.GetValue(equalFlops), LearnedTrigger = p.GetValue(learned),
                FirstRandomModel = p.GetValue(firstRandom) is { } fr ? Find(defs, fr, "ablation-first-random").Name : null,
                LastIdentityModel = p.GetValue(lastIdentity) is { } li ? Find(defs, li, "ablation-last-identity").Name : null,
            };
            return RunProtocol(def, growth, config, defs, p.GetValue(data), p.GetValue(work) ?? Path.Combine("runs", "experiments", config.Name),
                p.GetValue(outDir)!, rawArgs);
        }));
        return command;
    }

    internal static ScalableModelDefinition Find(IEnumerable<ScalableModelDefinition> defs, string name, string option = "model") =>
        defs.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? defs.FirstOrDefault(d => string.Equals(d.Name.Split('.')[^1], name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown model '{name}' (--{option}); known: {string.Join(", ", defs.Select(d => d.Name))}.");

    /// <summary>
    /// The X-F model: another declaration of the same architecture under function-preserving growth, or, when
    /// <paramref name="growth"/> is <paramref name="model"/> itself, its pair as declared under that rule
    /// (<c>[Pair(base, motivated, Growth = Growth.FunctionPreserving)]</c> next to the <c>[ScalableModel]</c> pair; an
    /// <see cref="ArgumentException"/> naming the declared pairs when there is none).
    /// </summary>
    internal static ScalableModelDefinition GrowthDefinition(ScalableModelDefinition model, ScalableModelDefinition growth) =>
        growth.Name == model.Name ? model.WithPair(model.BaseVariant, model.MotivatedVariant, Growth.FunctionPreserving) : growth;

    internal static DatasetPair LoadData(string? dir) => dir is null ? Datasets.FashionMnist() : Datasets.Load(dir);

    /// <summary>Balanced subset: the first limit / classes images of every class (file order), or everything.</summary>
    internal static ImageDataset Limit(ImageDataset d, int? limit) =>
        limit is { } n && n < d.Count ? d.Balanced(Math.Max(1, n / d.NumClasses)) : d;

    public static string Machine()
    {
        var cpu = HostCpu.Current;
        string load = "?";
        try { load = File.ReadAllText("/proc/loadavg").Trim(); } catch (IOException) { }
        return $"{cpu.Model} ({cpu.Class}), {Environment.ProcessorCount} logical CPU(s), {Environment.OSVersion}, .NET {Environment.Version}; load average at start: {load}";
    }

    private static int RunProtocol(ScalableModelDefinition def, ScalableModelDefinition? growth, ExperimentConfig config,
        ScalableModelDefinition[] defs, string? dataDir, string work, string outDir, string[] rawArgs)
    {
        var name = config.Name;
        if (growth is not null) ExperimentRunner.CheckSameArchitecture(def, growth, config);
        ExperimentRunner.CheckAblationModel(def, config, config.FirstRandomModel, defs, identity: false, "first-l");
        ExperimentRunner.CheckAblationModel(def, config, config.LastIdentityModel, defs, identity: true, "last-to-last");

        using var loaded = ExperimentDataLoading.Load(def, config, dataDir);
        config = config with { Data = loaded.Description };

        var command = "dotnet run -c Release --project examples/Experiments -- " + string.Join(' ', rawArgs.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));
        var machine = Machine();
        var runner = new ExperimentRunner(def, config, loaded.Data, work, Console.Out, growth, defs);
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

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MotivationDsl.Reporting;
using MotivationDsl.Training;
using MotivationDsl.Training.Checkpoints;
using MotivationDsl.Training.Distributed;
using static TorchSharp.torch;

namespace MotivationDsl.Cli;

/// <summary><c>train</c>: a motivation run (base + motivated model) with all run outputs in one folder.</summary>
internal static class TrainCommand
{
    private sealed class Opts
    {
        public readonly Option<string?> Model = CommonOptions.Model();
        public readonly Option<string> Growth = new("--growth") { Description = "Growth rule of the pair: declared (the model's pair as declared), paper (the base's blocks last-to-last, extra blocks random), or function-preserving (extra blocks start as identities); the model must declare its pair under that rule ([Pair(base, motivated, Growth = ...)]).", DefaultValueFactory = _ => "declared" };
        public readonly Option<int> Epochs = new("--epochs", "-e") { Description = "Epochs in total (a resumed run continues up to this).", DefaultValueFactory = _ => 10 };
        public readonly Option<int> BatchSize = new("--batch-size", "-b") { Description = "Training batch size.", DefaultValueFactory = _ => 128 };
        public readonly Option<int> K = new("--k") { Description = "Consecutive loss decreases that trigger the motivated model (consecutive, gradnorm).", DefaultValueFactory = _ => 2 };
        public readonly Option<string> Condition = new("--condition", "-c") { Description = "Motivation condition: consecutive (the paper's), ema, gradnorm, random (--rate), never (base only), always (motivated only).", DefaultValueFactory = _ => "consecutive" };
        public readonly Option<string> EpochBoundary = new("--epoch-boundary") { Description = "What an epoch end does to the streak (consecutive, gradnorm): reset-counter (the count restarts, the previous loss is kept), carry (both carry over), reset-all (both are forgotten).", DefaultValueFactory = _ => "reset-counter" };
        public readonly Option<string> FirstBatch = new("--first-batch") { Description = "Whether the run's first batch counts as a loss decrease (consecutive): not-a-decrease (previous loss NaN) or decrease (previous loss +infinity).", DefaultValueFactory = _ => "not-a-decrease" };
        public readonly Option<double> Rate = new("--rate") { Description = "Per-batch probability for --condition random.", DefaultValueFactory = _ => 0.17 };
        public readonly Option<string> Optimizer = new("--optimizer") { Description = "sgd, adamw or rmsprop (one per model, same settings).", DefaultValueFactory = _ => "sgd" };
        public readonly Option<double?> Lr = new("--lr") { Description = "Learning rate (default: sgd 0.1, adamw 0.001, rmsprop 0.01)." };
        public readonly Option<double> Momentum = new("--momentum") { Description = "Momentum (sgd, rmsprop).", DefaultValueFactory = _ => 0.9 };
        public readonly Option<double?> WeightDecay = new("--weight-decay") { Description = "Weight decay (default: sgd 5e-4, adamw 0.05, rmsprop 1e-5)." };
        public readonly Option<string> Schedule = new("--schedule") { Description = "LR schedule over the epochs: cosine, step (x0.1 every third), exponential (x0.97 per epoch), constant.", DefaultValueFactory = _ => "cosine" };
        public readonly Option<int> Warmup = new("--warmup") { Description = "Linear warm-up epochs.", DefaultValueFactory = _ => 0 };
        public readonly Option<long> Seed = new("--seed") { Description = "Seed of the initialisation and the data order.", DefaultValueFactory = _ => 42 };
        public readonly Option<int?> Threads = new("--threads") { Description = "torch.set_num_threads (default: LibTorch's choice). An exact resume needs the same count." };
        public readonly Option<string> Device = new("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        public readonly Option<string?> Data = new("--data") { Description = "Data folder (Fashion-MNIST/MNIST IDX files, CIFAR-10/100 binaries), or 'sample' for the embedded Fashion-MNIST sample. Default: /usr/share/datasets/fashion-mnist, else the embedded sample. A language model: a text file or folder of *.txt files, or 'sample' (the embedded Jargon File excerpt); default python3-doc's sources, else the sample." };
        public readonly Option<int?> TrainLimit = new("--train-limit") { Description = "Use only the first N training images (a language model: N windows of its context per epoch)." };
        public readonly Option<int?> TestLimit = new("--test-limit") { Description = "Use only the first N test images (a language model: N held-out windows)." };
        public readonly Option<bool> Augment = new("--augment") { Description = "Random crop (pad 2) and horizontal flip." };
        public readonly Option<string?> Out = new("--out", "-o") { Description = "Run folder (default: runs/<model>-<yyyyMMdd-HHmmss>)." };
        public readonly Option<bool> Resume = new("--resume") { Description = "Continue the run in --out from its latest checkpoint, exactly, with its saved settings (--epochs, --threads, --keep, --device, --non-finite-loss, --native-heap may change)." };
        public readonly Option<int> Keep = new("--keep") { Description = "Checkpoints to keep (one is written every epoch).", DefaultValueFactory = _ => 3 };
        public readonly Option<int?> StopAfter = new("--stop-after") { Description = "Stop after N epochs of this invocation, as an interruption would (resume later with --resume)." };
        public readonly Option<string> NonFiniteLoss = new("--non-finite-loss") { Description = "When a training loss is NaN or infinite: stop (exit 3, nothing exported) or skip (the batch is not trained; counted in report.json).", DefaultValueFactory = _ => "stop" };
        public readonly Option<string> MemoryFormat = new("--memory-format") { Description = "Memory layout of 4-D weights and activations: nchw, channels-last, or auto (the model family's measured default, docs/performance.md). Saved with the run; eval, export and --resume use it.", DefaultValueFactory = _ => TrainSettings.AutoMemoryFormat };
        public readonly Option<string> NativeHeap = new("--native-heap") { Description = "CPU only: system (the C library's defaults) or retain (the C heap keeps freed tensor memory for the next step: no page faults for it; no measurable step-time gain in a long run, docs/performance.md \"Native heap\"). Changes no value; may change on --resume.", DefaultValueFactory = _ => "system" };
        public readonly Option<bool> Distributed = new("--distributed") { Description = "Join an Open MPI world even where mpirun's environment is not detected (mpirun -np N ... train is detected by itself); --batch-size is the global batch, split over the ranks. See docs/distributed.md." };

        public IEnumerable<Option> All => [Model, Growth, Epochs, BatchSize, K, Condition, EpochBoundary, FirstBatch, Rate, Optimizer, Lr, Momentum, WeightDecay, Schedule, Warmup,
            Seed, Threads, Device, Data, TrainLimit, TestLimit, Augment, Out, Resume, Keep, StopAfter, NonFiniteLoss, MemoryFormat, NativeHeap, Distributed];
    }

    public static Command Create(Func<ModelCatalog> catalog, CliOutput output)
    {
        var o = new Opts();
        var command = new Command("train", "Train a base and a motivated model in one run (the paper's Algorithm 1); writes report.json, metrics.csv, steps.csv, loss.png, TensorBoard events, checkpoints and both models into the run folder.");
        foreach (var option in o.All) command.Add(option);
        command.SetAction(parse => CliErrors.Guard(output, () => Run(parse, o, catalog(), output)));
        return command;
    }

    private static TrainSettings FromParse(ParseResult p, Opts o, ScalableModelDefinition definition) => new()
    {
        Model = definition.Name,
        Growth = p.GetValue(o.Growth)!.Trim().ToLowerInvariant(),
        Epochs = p.GetValue(o.Epochs),
        BatchSize = p.GetValue(o.BatchSize),
        K = p.GetValue(o.K),
        Condition = p.GetValue(o.Condition)!.Trim().ToLowerInvariant(),
        EpochBoundary = p.GetValue(o.EpochBoundary)!.Trim().ToLowerInvariant(),
        FirstBatch = p.GetValue(o.FirstBatch)!.Trim().ToLowerInvariant(),
        Rate = p.GetValue(o.Rate),
        Optimizer = p.GetValue(o.Optimizer)!.Trim().ToLowerInvariant(),
        Lr = p.GetValue(o.Lr),
        Momentum = p.GetValue(o.Momentum),
        WeightDecay = p.GetValue(o.WeightDecay),
        Schedule = p.GetValue(o.Schedule)!.Trim().ToLowerInvariant(),
        Warmup = p.GetValue(o.Warmup),
        Seed = p.GetValue(o.Seed),
        Threads = p.GetValue(o.Threads),
        Device = p.GetValue(o.Device)!,
        Data = p.GetValue(o.Data),
        TrainLimit = p.GetValue(o.TrainLimit),
        TestLimit = p.GetValue(o.TestLimit),
        Augment = p.GetValue(o.Augment),
        Keep = p.GetValue(o.Keep),
        NonFiniteLoss = p.GetValue(o.NonFiniteLoss)!.Trim().ToLowerInvariant(),
        MemoryFormat = TrainSettings.ResolveMemoryFormat(p.GetValue(o.MemoryFormat)!.Trim().ToLowerInvariant(), definition, HostCpu.Current.Class),
        NativeHeap = p.GetValue(o.NativeHeap)!.Trim().ToLowerInvariant(),
    };

    private static bool Given(ParseResult p, Option option) => p.GetResult(option) is { Implicit: false };

    /// <summary>A resumed run keeps its saved settings; --epochs, --threads, --keep, --device and --non-finite-loss may
    /// change, any other option given must agree with the saved value.</summary>
    private static TrainSettings MergeForResume(ParseResult p, Opts o, TrainSettings saved, TrainSettings given, string runDir)
    {
        (Option Option, Func<TrainSettings, object?> Value)[] fixedOptions =
        [
            (o.Growth, s => s.Growth), (o.BatchSize, s => s.BatchSize), (o.K, s => s.K), (o.Condition, s => s.Condition), (o.Rate, s => s.Rate),
            (o.EpochBoundary, s => s.EpochBoundary), (o.FirstBatch, s => s.FirstBatch),
            (o.Optimizer, s => s.Optimizer), (o.Lr, s => s.EffectiveLr), (o.Momentum, s => s.Momentum),
            (o.WeightDecay, s => s.EffectiveWeightDecay), (o.Schedule, s => s.Schedule), (o.Warmup, s => s.Warmup),
            (o.Seed, s => s.Seed), (o.Data, s => s.Data), (o.TrainLimit, s => s.TrainLimit), (o.TestLimit, s => s.TestLimit),
            (o.Augment, s => s.Augment), (o.MemoryFormat, s => s.MemoryFormat),
        ];
        foreach (var (option, value) in fixedOptions)
            if (Given(p, option) && !Equals(value(saved), value(given)))
                throw new CliException($"Cannot resume with {option.Name} {Show(value(given))}: the run in '{runDir}' was started with {Show(value(saved))}; a resume continues with the run's settings (only --epochs, --threads, --keep, --device, --non-finite-loss and --native-heap may change).");
        return saved with
        {
            Epochs = Given(p, o.Epochs) ? given.Epochs : saved.Epochs,
            Threads = Given(p, o.Threads) ? given.Threads : saved.Threads,
            Keep = Given(p, o.Keep) ? given.Keep : saved.Keep,
            Device = Given(p, o.Device) ? given.Device : saved.Device,
            NonFiniteLoss = Given(p, o.NonFiniteLoss) ? given.NonFiniteLoss : saved.NonFiniteLoss,
            NativeHeap = Given(p, o.NativeHeap) ? given.NativeHeap : saved.NativeHeap,
        };
    }

    /// <summary>What must agree between settings.json and the settings a checkpoint carries (all but what a resume may change).</summary>
    private static TrainSettings Fixed(TrainSettings s) => s with { Epochs = 0, Threads = null, Keep = 1, Device = "", NonFiniteLoss = "", NativeHeap = "" };

    private static string Show(object? v) => v switch
    {
        null => "(default)",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    /// <summary>Joins the MPI world when there is one; a rank that fails ends every rank (the others wait in a collective).</summary>
    private static int Run(ParseResult p, Opts o, ModelCatalog catalog, CliOutput output)
    {
        ICommunicator world;
        try { world = Communicators.FromEnvironment(p.GetValue(o.Distributed)); }
        catch (DistributedUnavailableException e) { throw new CliException(e.Message); }
        if (world.Size == 1)
            using (world) return Train(p, o, catalog, output, world);
        var rankOutput = output.ForRank(world.Rank, world.Size);
        int exit;
        try { exit = CliErrors.Guard(rankOutput, () => Train(p, o, catalog, rankOutput, world)); }
        catch (Exception e)
        {
            rankOutput.Error($"{e.GetType().Name}: {e.Message}");
            exit = 1;
        }
        if (exit != 0)
        {
            output.Writer.Flush();
            world.Abort(exit);
        }
        world.Dispose();
        return exit;
    }

    private static int Train(ParseResult p, Opts o, ModelCatalog catalog, CliOutput output, ICommunicator world)
    {
        var primary = world.Rank == 0;
        var resume = p.GetValue(o.Resume);
        var outDir = p.GetValue(o.Out);
        var stopAfter = p.GetValue(o.StopAfter);
        if (stopAfter is < 1) throw new CliException($"--stop-after must be at least 1 (got {stopAfter}).");
        if (!string.IsNullOrEmpty(outDir) && File.Exists(outDir)) throw new CliException($"--out '{outDir}' is a file, not a run folder.");
        TrainSettings settings;
        ScalableModelDefinition definition;
        string? checkpoint = null;
        if (resume)
        {
            if (string.IsNullOrEmpty(outDir)) throw new CliException("--resume needs --out DIR: the run folder to continue.");
            if (!Directory.Exists(outDir)) throw new CliException($"Cannot resume: run folder '{outDir}' not found.");
            var (intact, skipped) = CheckpointCallback.LatestIntact(RunModels.CheckpointDir(outDir));
            if (intact is null)
                throw new CliException(skipped.Count == 0
                    ? $"Cannot resume: '{outDir}' has no checkpoint (checkpoints/epoch-*.mdckpt); run without --resume to start a new run."
                    : $"Cannot resume: no checkpoint in '{outDir}' is intact (newest: {skipped[0].Reason}).");
            foreach (var (path, reason) in skipped)
                output.Warning($"skipping checkpoint '{path}': {reason} Resuming from the newest intact one, '{Path.GetFileName(intact)}'.");
            checkpoint = intact;
            var header = CheckpointFile.ReadHeader(checkpoint);
            var checkpointModel = header["model"]?.GetValue<string>() ?? "?";
            var recorded = RunSettingsCallback.FromCheckpointHeader(header, checkpoint);
            var saved = TrainSettings.Load(outDir);
            if (saved is not null && recorded is not null && Fixed(saved) != Fixed(recorded))
                throw new CliException($"Cannot resume: '{Path.Combine(outDir, TrainSettings.FileName)}' does not describe the run of checkpoint '{checkpoint}' (it was trained with other settings); restore the run's settings.json or delete it to use the checkpoint's.");
            if (saved is null && recorded is not null)
                output.Warning($"'{Path.Combine(outDir, TrainSettings.FileName)}' is missing; using the run settings recorded in '{Path.GetFileName(checkpoint)}'.");
            saved ??= recorded ?? throw new CliException(
                $"Cannot resume: '{outDir}' has no {TrainSettings.FileName} and checkpoint '{checkpoint}' records no run settings, so the run cannot be continued as it was started.");
            var givenModel = p.GetValue(o.Model);
            definition = catalog.Find(Given(p, o.Model) ? givenModel : saved.Model);
            if (definition.Name != checkpointModel)
                throw new CliException($"Cannot resume: '{outDir}' is a run of {checkpointModel}, not {definition.Name} (a checkpoint only continues the architecture that wrote it).");
            var fromArgs = FromParse(p, o, definition);
            settings = MergeForResume(p, o, saved, fromArgs, outDir).Validate();
        }
        else
        {
            definition = catalog.Find(p.GetValue(o.Model));
            settings = FromParse(p, o, definition).Validate();
            if (!string.IsNullOrEmpty(outDir) && CheckpointCallback.Latest(RunModels.CheckpointDir(outDir)) is not null)
                throw new CliException($"'{outDir}' already holds a run with checkpoints: continue it with --resume, or choose another --out.");
        }

        definition = settings.PairOf(definition);
        var device = Devices.Resolve(settings.Device);
        if (settings.Threads is { } threads) set_num_threads(threads);
        var baseInfo = definition.GetVariant(definition.BaseVariant);
        var motivatedInfo = definition.GetVariant(definition.MotivatedVariant);

        using var data = RunDatasets.Load(definition, settings.Data, settings.TrainLimit, settings.TestLimit, baseInfo);
        // Rank 0 alone writes (and locks) the run folder (settings, outputs, checkpoints); the other ranks only train.
        using var folder = primary ? RunFolderAccess.Open(outDir, () => RunFolder.CreateUnique("runs", ModelCatalog.ShortName(definition.Name)).Path, output) : null;
        var run = folder?.Run;
        if (run is not null) settings.Save(run.Path);

        output.Line($"Model:  {definition.Name}: {Describe(baseInfo)} -> {Describe(motivatedInfo)}, {(definition.Map.PreservesFunction ? "function-preserving growth" : "the paper's growth rule")}");
        output.Line($"Data:   {data.Description}");
        output.Line($"Run:    {settings.ConditionLabel}, {settings.Optimizer} lr {Show(settings.EffectiveLr)} {settings.Schedule}, batch {settings.BatchSize}, {settings.Epochs} epoch{(settings.Epochs == 1 ? "" : "s")}, seed {settings.Seed}, {device.type.ToString().ToLowerInvariant()} x {get_num_threads()} thread{(get_num_threads() == 1 ? "" : "s")}, {settings.MemoryFormat}{World(world, settings.BatchSize)}");
        output.Line($"Output: {run?.Path}");

        var trainLoader = data.TrainLoader(settings.BatchSize, settings.Seed, settings.Augment, device);
        var testLoader = data.TestLoader(Math.Max(256, settings.BatchSize), device);
        using var outputs = run is null ? null : new RunOutputsCallback(run, $"{ModelCatalog.ShortName(definition.Name)} {baseInfo.Name}->{motivatedInfo.Name}",
            data.DatasetLabel, settings.Seed, settings.ToConfig());
        var live = output.Rich ? new LiveProgress(output, settings.Epochs, trainLoader.BatchCount) : null;
        var checkpointDir = run is null ? null : RunModels.CheckpointDir(run.Path);
        // The checkpoint is written before the epoch's outputs: when it fails (disk full), report.json and metrics.csv
        // still end at the last checkpoint, and a resume continues from there.
        var callbacks = new List<TrainerCallback>();
        // On every rank: only rank 0 writes, but all of them wait for each checkpoint (the directory is rank 0's).
        callbacks.Add(new RunSettingsCallback(settings));
        callbacks.Add(new CheckpointCallback(checkpointDir ?? RunModels.CheckpointDir(outDir ?? "."), settings.Keep));
        if (outputs is not null) callbacks.Add(outputs);
        callbacks.Add(live is null ? new PlainProgress(output, settings.Epochs) : live);
        if (stopAfter is { } n) callbacks.Add(new StopAfterCallback(n));

        using var trainer = MotivationTrainer.Create(definition, settings.CreateTrainerOptions(callbacks, world), device);
        if (checkpoint is not null)
        {
            try { trainer.LoadCheckpoint(checkpoint); }
            catch (Exception e) when (e is CheckpointMismatchException or InvalidDataException)
            { throw new CliException($"Cannot resume from '{checkpoint}': {e.Message}"); }
            outputs?.ResumeFrom(trainer, checkpoint);
            output.Line($"Resume: {Path.GetFileName(checkpoint)} ({trainer.CompletedEpochs} of {settings.Epochs} epochs done, step {trainer.GlobalStep})");
        }

        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        var clock = Stopwatch.StartNew();
        FitReport report;
        try
        {
            report = live is null
                ? trainer.Fit(trainLoader, testLoader, settings.Epochs, cts.Token)
                : live.Show(() => trainer.Fit(trainLoader, testLoader, settings.Epochs, cts.Token));
        }
        catch (OperationCanceledException)
        {
            output.Error($"interrupted; {trainer.CompletedEpochs} epoch(s) are checkpointed. Continue with: train --out {run?.Path ?? outDir} --resume");
            return 130;
        }
        catch (NonFiniteLossException e)
        {
            var last = checkpointDir is null ? null : CheckpointCallback.LatestIntact(checkpointDir).Path;
            outputs?.WriteDiverged(trainer, e, last);
            output.Error($"{e.Message} Nothing was exported; the last good checkpoint is {(last is null ? "none (no epoch finished)" : $"'{last}'")}. " +
                         "Lower --lr, or pass --non-finite-loss skip to skip such batches.");
            return 3;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var last = checkpointDir is null ? null : CheckpointCallback.LatestIntact(checkpointDir).Path;
            output.Error($"Cannot write the run's outputs: {OneLine(e.Message)} The run is intact up to {(last is null ? "its start (no checkpoint yet)" : $"checkpoint '{Path.GetFileName(last)}'")}; " +
                         $"free space (or fix permissions) and continue with: train --out {run?.Path ?? outDir} --resume");
            return 2;
        }
        finally { Console.CancelKeyPress -= onCancel; }
        clock.Stop();

        if (run is null) return 0;
        WriteResults(output, definition, report, run, clock.Elapsed, outputs!);
                if (report.Accounting.SkippedBatches > 0)
            output.Warning($"{report.Accounting.SkippedBatches} training batch(es) had a non-finite loss and were skipped (--non-finite-loss skip); report.json lists them as skippedBatches.");
        if (trainer.CompletedEpochs < settings.Epochs)
            output.Line($"Stopped after {trainer.CompletedEpochs} of {settings.Epochs} epochs; continue with: train --out {run.Path} --resume");
        return 0;
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();

    private static string World(ICommunicator world, int batchSize)
    {
        if (world.Size == 1) return "";
        var (_, smallest) = ShardedDataLoader.Range(batchSize, 0, world.Size);
        var (_, largest) = ShardedDataLoader.Range(batchSize, world.Size - 1, world.Size);
        var perRank = smallest == largest ? $"{smallest}" : $"{smallest}-{largest}";
        return $", {world.Size} ranks ({world.Description}; {perRank} samples of each batch per rank)";
    }

    private static string Describe(VariantInfo v) =>
        $"{v.Name} ({Formatting.Count(v.ParameterCount)} parameters, {Formatting.Si(v.Flops)}FLOPs/sample)";

    private static void WriteResults(CliOutput output, ScalableModelDefinition definition, FitReport report, RunFolder run,
                                     TimeSpan elapsed, RunOutputsCallback outputs)
    {
        var acc = report.Accounting;
        var baseInfo = definition.GetVariant(definition.BaseVariant);
        var motivatedInfo = definition.GetVariant(definition.MotivatedVariant);
        output.Line();
        output.Heading("Results");
        IReadOnlyList<string> Row(string role, VariantInfo v, EvalResult test, long batches) =>
        [
            role, v.Name, Formatting.Count(v.ParameterCount), Formatting.Si(v.Flops),
            test.Evaluated ? Formatting.Percent(test.Accuracy) : "-",
            test.Evaluated ? test.Loss.ToString("F4", CultureInfo.InvariantCulture) : "-",
            Formatting.Count(batches),
        ];
        output.Table(["model", "variant", ">parameters", ">FLOPs/sample", ">test accuracy", ">test loss", ">trained batches"],
        [
            Row("base", baseInfo, report.FinalBase, acc.BaseBatches),
            Row("motivated", motivatedInfo, report.FinalMotivated, acc.MotivatedBatches),
        ]);
        var f = acc.MeanForwardFlops;
        var relative = baseInfo.Flops == 0 ? "" : $" ({(f / baseInfo.Flops - 1) * 100:+0.0;-0.0;0.0} % vs the base's {Formatting.Si(baseInfo.Flops)}FLOPs)";
        var wall = report.Epochs.Sum(e => e.Seconds);
        var activations = report.Epochs.Sum(e => e.Activations);
        output.Table(["summary", "value"],
        [
            ["epochs", $"{report.Epochs.Count}"],
            ["motivated share", $"{Formatting.Percent(acc.MotivatedShare)} of {Formatting.Count(acc.BaseBatches + acc.MotivatedBatches)} training batches"],
            ["F (mean forward FLOPs/sample)", $"{Formatting.Si(f)}FLOPs{relative}"],
            ["switches", $"{Formatting.Count(acc.Switches)} ({Formatting.Count(activations)} activations that trained, {Formatting.Count(acc.SwitchesToMotivated - activations)} on an epoch's last batch that trained nothing, {Formatting.Count(acc.ForcedSwitchesToBase)} forced at epoch ends; {acc.SwitchSeconds:F2} s)"],
            ["wall time", $"{FormatTime(TimeSpan.FromSeconds(wall))} training+eval over all epochs ({FormatTime(elapsed)} in this invocation; base {acc.TrainBaseSeconds:F0} s, motivated {acc.TrainMotivatedSeconds:F0} s, eval {acc.EvalSeconds:F0} s)"],
            ["outputs", run.Path],
        ]);
        if (report.FinalBase.BitsPerByte is { } baseBits && report.FinalMotivated.BitsPerByte is { } motivatedBits)
            output.Line($"Held-out bits per byte: base {baseBits.ToString("F4", CultureInfo.InvariantCulture)}, motivated {motivatedBits.ToString("F4", CultureInfo.InvariantCulture)} (perplexity {report.FinalBase.Perplexity:F2} and {report.FinalMotivated.Perplexity:F2})");
        output.Line($"Outputs: report.json, metrics.csv, steps.csv, loss.png, tensorboard/, checkpoints/, models/ (base/motivated .dat + .safetensors) in {run.Path}");
    }

    public static string FormatTime(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h {t.Minutes:D2}m {t.Seconds:D2}s"
        : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m {t.Seconds:D2}s"
        : $"{t.TotalSeconds:F1} s";
}

/// <summary>Requests a stop once this invocation has trained <paramref name="epochs"/> epochs (simulates an interruption).</summary>
internal sealed class StopAfterCallback(int epochs) : TrainerCallback
{
    private int _done;
    public override void OnFitStart(MotivationTrainer trainer) => _done = 0;
    public override void OnEpochEnd(MotivationTrainer trainer, EpochMetrics metrics)
    {
        if (++_done >= epochs) trainer.RequestStop();
    }
}

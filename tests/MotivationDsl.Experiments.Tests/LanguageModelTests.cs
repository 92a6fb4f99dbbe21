using MotivationDsl.Data;
using MotivationDsl.Training;

namespace MotivationDsl.Experiments.Tests;

/// <summary>
/// A tiny byte-level GPT pair (vocabulary 256, context 16, width 16, 2 heads; 1 -> 2 decoder blocks, head tied to the
/// token embedding), declared with the paper's rule as its [ScalableModel] pair and with function-preserving growth as a
/// [Pair], so one model gives the runner both X-Y and X-F.
/// </summary>
[ScalableModel(Base = "Small", Motivated = "Large", Init = WeightInit.Gpt2)]
[Pair("Small", "Large", Growth = Growth.FunctionPreserving)]
[Variant("Small", Depth = new[] { 1 }, Heads = 2)]
[Variant("Large", Depth = new[] { 2 }, Heads = 2)]
[TokenEmbedding("transformer.wte", 16, Vocabulary = 256, ContextLength = 16)]
[TokenPositions("transformer.wpe")]
[Stage("transformer.h", Block.CausalDecoder, 16, Blocks = 1, Heads = 2)]
[LayerNorm("transformer.ln_f")]
[LanguageModelHead("lm_head", TiedTo = "transformer.wte")]
public partial class TinyGpt
{
}

public sealed class LanguageModelTests
{
    private static ScalableModelDefinition Growing => ExperimentCli.GrowthDefinition(TinyGpt.Definition, TinyGpt.Definition);

    private static ExperimentConfig Config(long[] seeds, int epochs = 2) => new()
    {
        Name = "tiny-lm", Model = TinyGpt.Definition.Name, Task = ModelTask.LanguageModel, BaseVariant = "Small", MotivatedVariant = "Large",
        Data = "embedded sample, 32 windows of 16 bytes", Epochs = epochs, Seeds = seeds, BatchSize = 8, Optimizer = "adamw",
        LearningRate = 3e-3, WeightDecay = 0.1, MaxGradientNorm = 1, K = 1, GrowthModel = TinyGpt.Definition.Name,
    };

    /// <summary>The embedded sample in windows of 16 bytes: 32 training windows per epoch (4 steps of 8), 16 held out.</summary>
    private static (TextCorpus Corpus, TextExperimentData Data) Text()
    {
        var corpus = TextCorpora.EnglishSample();
        return (corpus, new TextExperimentData(corpus, 16, trainWindows: 32, testWindows: 16));
    }

    private static ExperimentRunner Runner(ExperimentConfig config, TextExperimentData data, string work, TextWriter? log = null) =>
        new(TinyGpt.Definition, config, data, work, log, Growing);

    [Fact]
    public void A_language_model_pair_runs_every_row_and_compares_held_out_bits_per_byte()
    {
        var dir = Synthetic.TempDir();
        var (corpus, data) = Text();
        using var _ = corpus;
        var config = Config([1, 2]);
        var records = Runner(config, data, Path.Combine(dir, "work")).Run();

        Assert.Equal(8, records.Count);   // X-C, X-Y, X-F, Y-C for 2 seeds
        Assert.Equal(32, data.TrainSamples);
        var flops = TinyGpt.Definition.GetVariant("Small").Flops;
        foreach (var r in records)
        {
            // Byte level: bits per byte = the mean next-token cross entropy (nats) / ln 2.
            if (r.Kind != RunKind.ClassicalLarge) Assert.Equal(r.BaseLoss!.Value / Math.Log(2), r.BaseBitsPerByte!.Value, 9);
            if (r.Kind != RunKind.ClassicalBase) Assert.Equal(r.MotivatedLoss!.Value / Math.Log(2), r.MotivatedBitsPerByte!.Value, 9);
            Assert.Equal(r.MeanForwardFlops / 16, r.MeanForwardFlopsPerToken!.Value, 6);
            Assert.Equal(2 * 4, r.BaseBatches + r.MotivatedBatches);
        }
        Assert.Equal(flops, records.Single(r => r is { Kind: RunKind.ClassicalBase, Seed: 1 }).MeanForwardFlops, 6);
        // Function-preserving growth: the X-F job's large model was grown from its base (at least at its first activation)
        // and its records name the same model as X-Y's (one declaration, two pairs).
        Assert.All(records, r => Assert.Equal(TinyGpt.Definition.Name, r.Model));

        var s = Aggregation.Summarize(config, config.Hash(), records);
        Assert.Equal(ExperimentMetric.HeldOutBitsPerByte, s.Metric);
        Assert.Equal(["X-C", "X-Y-B", "X-Y-M", "X-F-B", "X-F-M", "Y-C"], s.Rows.Select(r => r.Row));
        var xc = s.Rows.Single(r => r.Row == "X-C");
        Assert.Equal(records.Where(r => r.Kind == RunKind.ClassicalBase).Select(r => r.BaseBitsPerByte!.Value).Average(), xc.Metric.Mean, 12);
        Assert.Equal(flops / 16.0, xc.MeanForwardFlopsPerToken.Mean, 6);
        // Paired differences are in bits per byte (not x 100) and their wins count the LOWER value.
        var d = s.Growth!.Differences.Single(x => x is { Row: "X-F-M", Minus: "X-Y-M" });
        var xf = records.Where(r => r.Kind == RunKind.MotivatedFunctionPreserving).OrderBy(r => r.Seed).ToList();
        var xy = records.Where(r => r.Kind == RunKind.Motivated).OrderBy(r => r.Seed).ToList();
        var expected = xf.Zip(xy, (a, b) => a.MotivatedBitsPerByte!.Value - b.MotivatedBitsPerByte!.Value).ToList();
        for (var i = 0; i < 2; i++) Assert.Equal(expected[i], d.Points[i], 12);
        Assert.Equal(expected.Count(p => p < 0), d.Wins);

        var md = ResultsWriter.Markdown(s, null, null, []);
        Assert.Contains("| held-out bits per byte mean |", md);
        Assert.Contains("F per token (k FLOPs)", md);
        Assert.Contains("Held-out bits per byte (lower is better)", md);
        Assert.DoesNotContain("test acc", md);
        var files = ResultsWriter.Write(Path.Combine(dir, "out"), s);
        Assert.All(files, f => Assert.True(new FileInfo(f).Length > 0, f));
        Directory.Delete(dir, true);
    }

    private static RunRecord Rec(RunKind kind, long seed, double? baseBpb, double? motivatedBpb) => new()
    {
        Kind = kind, Seed = seed, Condition = "c", ConfigHash = "h", BaseBitsPerByte = baseBpb, MotivatedBitsPerByte = motivatedBpb,
        // Accuracy deliberately points the other way: the language-model rows must not read it.
        BaseAccuracy = baseBpb is null ? null : 0.9, MotivatedAccuracy = motivatedBpb is null ? null : 0.1,
        MeanForwardFlops = kind == RunKind.ClassicalBase ? 100 : 200, MotivatedShare = 0.5,
    };

    [Fact]
    public void Lower_bits_per_byte_read_as_better_in_rows_differences_sentences_and_verdicts()
    {
        var config = Config([1, 2, 3]);
        // X-F's motivated model has 0.10, 0.12, 0.08 fewer bits per byte than X-Y's; its base 0.05 more on every seed.
        var runs = new List<RunRecord>();
        foreach (var seed in new long[] { 1, 2, 3 })
        {
            var drop = seed switch { 1 => 0.10, 2 => 0.12, _ => 0.08 };
            runs.Add(Rec(RunKind.ClassicalBase, seed, 2.50, null));
            runs.Add(Rec(RunKind.Motivated, seed, 2.40, 2.30));
            runs.Add(Rec(RunKind.MotivatedFunctionPreserving, seed, 2.45, 2.30 - drop));
            runs.Add(Rec(RunKind.ClassicalLarge, seed, null, 2.20));
        }
        var s = Aggregation.Summarize(config, "h", runs);
        Assert.Equal(2.30, s.Rows.Single(r => r.Row == "X-Y-M").Metric.Mean, 12);
        var motivated = s.Growth!.Differences.Single(x => x is { Row: "X-F-M", Minus: "X-Y-M" });
        Assert.Equal(-0.10, motivated.Stats.Mean, 12);
        Assert.Equal(3, motivated.Wins);
        Assert.Equal(0, motivated.Losses);
        Assert.Equal(Outcome.Better, motivated.Outcome);
        var @base = s.Growth.Differences.Single(x => x is { Row: "X-F-B", Minus: "X-Y-B" });
        Assert.Equal(Outcome.Worse, @base.Outcome);
        Assert.Equal(0, @base.Wins);

        Assert.StartsWith("X-F-M is better, by 0.1000 bpb lower on average", ResultsWriter.Sentence(motivated));
        Assert.StartsWith("X-F-B is worse, by 0.0500 bpb higher on average", ResultsWriter.Sentence(@base));
        var md = ResultsWriter.Markdown(s, null, null, []);
        Assert.Contains("Motivated model (X-F-M vs X-Y-M): the function-preserving rule wins by 0.1000 bpb on average over 3 seed(s); " +
                        "the function-preserving rule is better in 3 of 3 and worse in 0.", md);
        Assert.Contains("Base (X-F-B vs X-Y-B): the paper's rule wins by 0.0500 bpb", md);
        Assert.Contains("- X-F-M vs X-Y-M: X-F-M is better, by 0.1000 bpb lower on average (paired spread 0.0200 bpb; better in 3 of 3 seeds).", md);
        Assert.Contains("| X-F-M - X-Y-M | motivated model: function-preserving rule minus the paper's rule | 1, 2, 3 | -0.1000 / -0.1200 / -0.0800 | -0.1000 |", md);
        Assert.Contains("negative: the first row has fewer bits per byte, i.e. is better", md);
        // Eq. 1 on bits per byte: X-Y-M is 0.2 bpb below X-C for 100 FLOPs more F: negative = better.
        Assert.Equal(-0.2 / 100, s.Rows.Single(r => r.Row == "X-Y-M").AccPerFlops, 12);
    }

    [Fact]
    public void Resume_skips_finished_language_model_jobs_and_continues_an_interrupted_one_exactly()
    {
        var dir = Synthetic.TempDir();
        var (corpus, data) = Text();
        using var _ = corpus;
        var config = Config([1], epochs: 2) with { GrowthModel = null };
        var reference = new ExperimentRunner(TinyGpt.Definition, config, data, Path.Combine(dir, "a")).Run();

        var work = Path.Combine(dir, "b");
        var first = new ExperimentRunner(TinyGpt.Definition, config, data, work)
        {
            ExtraCallbacks = (k, s) => k == RunKind.Motivated ? [new InterruptAfterFirstEpoch()] : [],
        };
        Assert.Throws<OperationCanceledException>(() => first.Run());
        var xcWritten = File.GetLastWriteTimeUtc(first.RecordPath(RunKind.ClassicalBase, 1));

        var log = new StringWriter();
        var resumed = new ExperimentRunner(TinyGpt.Definition, config, data, work, log).Run();
        Assert.Contains("[x-c-seed1] done already, skipped", log.ToString());
        Assert.Contains("[x-y-seed1] resuming from epoch-0001.mdckpt (1 epochs done)", log.ToString());
        Assert.Equal(xcWritten, File.GetLastWriteTimeUtc(first.RecordPath(RunKind.ClassicalBase, 1)));
        foreach (var (a, b) in reference.Zip(resumed))
        {
            Assert.Equal(a.Kind, b.Kind);
            Assert.Equal(a.BaseBitsPerByte, b.BaseBitsPerByte);
            Assert.Equal(a.MotivatedBitsPerByte, b.MotivatedBitsPerByte);
            Assert.Equal(a.MotivatedShare, b.MotivatedShare);
        }

        // Everything finished: a third run trains nothing.
        var again = new StringWriter();
        new ExperimentRunner(TinyGpt.Definition, config, data, work, again).Run();
        Assert.Equal(3, again.ToString().Split('\n').Count(l => l.EndsWith("done already, skipped", StringComparison.Ordinal)));
        Assert.DoesNotContain("start:", again.ToString());
        Directory.Delete(dir, true);
    }

    private sealed class InterruptAfterFirstEpoch : TrainerCallback
    {
        public override void OnEpochEnd(MotivationTrainer trainer, EpochMetrics metrics)
        {
            if (trainer.CompletedEpochs == 1) throw new OperationCanceledException("simulated crash");
        }
    }

    [Fact]
    public void A_language_model_needs_text_data_and_its_own_task_in_the_configuration()
    {
        var dir = Synthetic.TempDir();
        var (corpus, data) = Text();
        using var _ = corpus;
        var images = Assert.Throws<ArgumentException>(() => new ExperimentRunner(TinyGpt.Definition, Config([1]), Synthetic.Data(), dir, null, Growing));
        Assert.Contains("TextExperimentData", images.Message);
        var task = Assert.Throws<ArgumentException>(() => Runner(Config([1]) with { Task = ModelTask.Classification }, data, dir));
        Assert.Contains("task is Classification", task.Message);
        // 300 bytes: 285 to train on, 15 held out, fewer than one window of 16 plus its shifted target.
        using var small = TextCorpus.FromText(new string('a', 300), "tiny", "test");
        var tooShort = Assert.Throws<ArgumentException>(() => new TextExperimentData(small, 16, null, null));
        Assert.Contains("tiny: the held-out split is too short for the model's context of 16 bytes", tooShort.Message);
        Directory.Delete(dir, true);
    }

    private static (int Code, string Err) Cli(params string[] args)
    {
        var (error, output) = (Console.Error, Console.Out);
        var err = new StringWriter();
        Console.SetError(err);
        Console.SetOut(new StringWriter());
        try { return (ExperimentCli.Run(args, [TinyGpt.Definition, TinyNet.Definition]), err.ToString()); }
        finally { Console.SetError(error); Console.SetOut(output); }
    }

    [Fact]
    public void A_growth_model_without_a_function_preserving_pair_is_an_error_naming_the_declared_pairs()
    {
        var dir = Synthetic.TempDir();
        string[] common = ["run", "--name", "c", "--data", "sample", "--work", Path.Combine(dir, "w"), "--out", Path.Combine(dir, "o")];
        // TinyNet declares its pair with the paper's rule only.
        var (code, err) = Cli([.. common, "--model", "TinyNet", "--growth-model", "TinyNet"]);
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", err);
        Assert.Contains("has no proven weights map Small -> Large under Growth.FunctionPreserving", err);
        Assert.DoesNotContain("   at ", err);
        (code, err) = Cli([.. common, "--model", "TinyGpt", "--growth-model", "TinyGpt", "--flip"]);
        Assert.Equal(2, code);
        Assert.Contains("error: --crop and --flip apply to images", err);
        (code, err) = Cli([.. common, "--model", "TinyGpt", "--clip", "0"]);
        Assert.Equal(2, code);
        Assert.Contains("--clip must be a positive number, not 0", err);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
        Directory.Delete(dir, true);
    }
}

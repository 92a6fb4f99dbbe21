using System.Text.Json.Nodes;
using MotivationDsl.Training;

namespace MotivationDsl.Experiments.Tests;

/// <summary>The X-F run (the same architecture under the function-preserving growth rule) beside X-Y.</summary>
public sealed class GrowthTests
{
    private static ExperimentConfig GrowthConfig(int epochs = 2) =>
        Synthetic.Config(epochs: epochs) with { GrowthModel = TinyNetGrowing.Definition.Name };

    private static void AssertSameResult(RunRecord a, RunRecord b)
    {
        Assert.Equal(a.BaseAccuracy, b.BaseAccuracy);
        Assert.Equal(a.MotivatedAccuracy, b.MotivatedAccuracy);
        Assert.Equal(a.BaseLoss, b.BaseLoss);
        Assert.Equal(a.MotivatedLoss, b.MotivatedLoss);
        Assert.Equal(a.MeanForwardFlops, b.MeanForwardFlops);
        Assert.Equal(a.MotivatedShare, b.MotivatedShare);
        Assert.Equal(a.Activations, b.Activations);
        Assert.Equal(a.TrainLoss, b.TrainLoss);
    }

    [Fact]
    public void GrowthModelAddsTheXfRunWithItsRowsAndTheComparison()
    {
        var dir = Synthetic.TempDir();
        var config = GrowthConfig();
        Assert.Equal([RunKind.ClassicalBase, RunKind.Motivated, RunKind.MotivatedFunctionPreserving, RunKind.ClassicalLarge], config.Kinds());
        var log = new StringWriter();
        var runner = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), Path.Combine(dir, "work"), log, TinyNetGrowing.Definition);
        var records = runner.Run();

        Assert.Equal(2 * 4, records.Count);
        Assert.Contains($"[x-f-seed1] start: {TinyNetGrowing.Definition.Name}, consecutive-decrease(k=1)", log.ToString());
        Assert.True(File.Exists(Path.Combine(dir, "work", "runs", "x-f-seed2.json")));
        // The same trigger and budget as X-Y, on the growth model's pair.
        foreach (var seed in config.Seeds)
        {
            var xy = records.Single(r => r.Kind == RunKind.Motivated && r.Seed == seed);
            var xf = records.Single(r => r.Kind == RunKind.MotivatedFunctionPreserving && r.Seed == seed);
            Assert.Equal(xy.Condition, xf.Condition);
            Assert.Equal(xy.Epochs, xf.Epochs);
            Assert.InRange(xf.MotivatedShare, 1e-9, 1 - 1e-9);
        }

        var summary = Aggregation.Summarize(config, runner.ConfigHash, records);
        Assert.Equal(["X-C", "X-Y-B", "X-Y-M", "X-F-B", "X-F-M", "Y-C"], summary.Rows.Select(r => r.Row));
        var rows = summary.Rows.ToDictionary(r => r.Row);
        var xfRecords = records.Where(r => r.Kind == RunKind.MotivatedFunctionPreserving).OrderBy(r => r.Seed).ToList();
        Assert.Equal(xfRecords.Select(r => r.BaseAccuracy!.Value), rows["X-F-B"].Values);
        Assert.Equal(xfRecords.Select(r => r.MotivatedAccuracy!.Value), rows["X-F-M"].Values);

        var g = Assert.IsType<GrowthComparison>(summary.Growth);
        Assert.Equal(["X-F-B - X-Y-B", "X-F-M - X-Y-M", "X-F-B - X-C", "X-F-M - Y-C"], g.Differences.Select(d => $"{d.Row} - {d.Minus}"));
        Assert.All(g.Differences, d => Assert.Equal([1L, 2L], d.Seeds));

        var files = ResultsWriter.Write(Path.Combine(dir, "results"), summary, "test command", "test machine");
        Assert.All(files, f => Assert.True(new FileInfo(f).Length > 0, f));
        var md = File.ReadAllText(files[0]);
        Assert.Contains("| X-F-B | base of the function-preserving motivated run |", md);
        Assert.Contains("| X-F-M | motivated model of that run |", md);
        Assert.Contains("## Growth rules: function-preserving vs the paper's map", md);
        Assert.Contains("| X-F-B - X-Y-B |", md);
        Assert.Contains("- Base (X-F-B vs X-Y-B): ", md);
        Assert.Contains("Runs finished: 8 of 8.", md);
        Assert.Contains("| x-f | 1 |", md);
        var json = JsonNode.Parse(File.ReadAllText(files[1]))!;
        Assert.Equal(TinyNetGrowing.Definition.Name, (string?)json["config"]!["growthModel"]);
        Assert.Equal(4, json["growthComparison"]!["differences"]!.AsArray().Count);
        Assert.Contains(json["rows"]!.AsArray(), r => (string?)r!["row"] == "X-F-M");
        Directory.Delete(dir, true);
    }

    private sealed class Interrupt(RunKind kind, long seed) : TrainerCallback
    {
        public override void OnEpochEnd(MotivationTrainer trainer, EpochMetrics metrics)
        {
            if (kind == RunKind.MotivatedFunctionPreserving && seed == 1 && trainer.CompletedEpochs == 1)
                throw new OperationCanceledException("simulated crash");
        }
    }

    [Fact]
    public void ResumeContinuesAnInterruptedXfRunAndSkipsFinishedOnes()
    {
        var dir = Synthetic.TempDir();
        var config = GrowthConfig() with { Seeds = [1] };
        var first = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), dir, null, TinyNetGrowing.Definition)
        {
            ExtraCallbacks = (k, s) => [new Interrupt(k, s)],
        };
        Assert.Throws<OperationCanceledException>(() => first.Run());
        Assert.True(File.Exists(first.RecordPath(RunKind.Motivated, 1)));
        Assert.False(File.Exists(first.RecordPath(RunKind.MotivatedFunctionPreserving, 1)));
        Assert.NotNull(CheckpointCallback.Latest(first.CheckpointDir(RunKind.MotivatedFunctionPreserving, 1)));

        var log = new StringWriter();
        var second = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), dir, log, TinyNetGrowing.Definition).Run();
        Assert.Contains("[x-y-seed1] done already, skipped", log.ToString());
        Assert.Contains("[x-f-seed1] resuming from epoch-0001.mdckpt (1 epochs done)", log.ToString());
        var xf = second.Single(r => r.Kind == RunKind.MotivatedFunctionPreserving);
        Assert.Equal(1, xf.ResumedFromEpoch);
        // Exact resume: the same X-F run without the interruption.
        var reference = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), Path.Combine(dir, "reference"), null, TinyNetGrowing.Definition).Run();
        AssertSameResult(reference.Single(r => r.Kind == RunKind.MotivatedFunctionPreserving), xf);

        var xfPath = first.RecordPath(RunKind.MotivatedFunctionPreserving, 1);
        var written = File.GetLastWriteTimeUtc(xfPath);
        log = new StringWriter();
        var third = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), dir, log, TinyNetGrowing.Definition).Run();
        Assert.Contains("[x-f-seed1] done already, skipped", log.ToString());
        Assert.DoesNotContain("start:", log.ToString());
        Assert.Equal(written, File.GetLastWriteTimeUtc(xfPath));
        Assert.Equal(4, third.Count);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void AnotherArchitectureIsRejectedBeforeAnythingRuns()
    {
        var dir = Path.Combine(Synthetic.TempDir(), "work");
        var config = Synthetic.Config() with { GrowthModel = TinyNetDeeper.Definition.Name };
        var e = Assert.Throws<ArgumentException>(() =>
            new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), dir, null, TinyNetDeeper.Definition).Run());
        Assert.Contains(TinyNet.Definition.Name, e.Message);
        Assert.Contains(TinyNetDeeper.Definition.Name, e.Message);
        Assert.Contains("variant Large", e.Message);
        Assert.DoesNotContain("variant Small", e.Message);
        var large = TinyNetDeeper.Definition.GetVariant("Large");
        Assert.Contains($"{large.ParameterCount:N0} parameters and {large.Flops:N0} FLOPs in {TinyNetDeeper.Definition.Name}", e.Message);
        Assert.False(Directory.Exists(dir));

        // The configuration and the definitions must agree about the growth model.
        Assert.Throws<ArgumentException>(() => new ExperimentRunner(TinyNet.Definition, GrowthConfig(), Synthetic.Data(), dir));
        Assert.Throws<ArgumentException>(() => new ExperimentRunner(TinyNet.Definition, Synthetic.Config(), Synthetic.Data(), dir, null, TinyNetGrowing.Definition));

        // The growth model must be declared with function-preserving growth (the rows are labelled by rule).
        var paperTwin = Synthetic.Config() with { GrowthModel = TinyNetPaperTwin.Definition.Name };
        var notPreserving = Assert.Throws<ArgumentException>(() => new ExperimentRunner(TinyNet.Definition, paperTwin, Synthetic.Data(), dir, null, TinyNetPaperTwin.Definition));
        Assert.Contains("declared with Growth = Growth.FunctionPreserving", notPreserving.Message);
        Assert.Throws<ArgumentException>(() => new ExperimentRunner(TinyNet.Definition, GrowthConfig(), Synthetic.Data(), dir, null, TinyNetDeeper.Definition));
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void CliResolvesGrowthModelAndRejectsUnknownOrOtherArchitecturesWithExitCode2()
    {
        var dir = Synthetic.TempDir();
        ScalableModelDefinition[] defs = [TinyNet.Definition, TinyNetGrowing.Definition, TinyNetDeeper.Definition];
        Assert.Contains("--growth-model NAME", ExperimentCli.Help(defs));
        var error = Console.Error;
        try
        {
            var err = new StringWriter();
            Console.SetError(err);
            string[] common = ["run", "--model", "TinyNet", "--name", "g", "--work", Path.Combine(dir, "work"), "--out", Path.Combine(dir, "out")];
            Assert.Equal(2, ExperimentCli.Run([.. common, "--growth-model", "NoSuchNet"], defs));
            Assert.Contains("Unknown model 'NoSuchNet' (--growth-model)", err.ToString());
            Assert.Contains(TinyNetGrowing.Definition.Name, err.ToString());

            err.GetStringBuilder().Clear();
            Assert.Equal(2, ExperimentCli.Run([.. common, "--growth-model", "TinyNetDeeper"], defs));
            Assert.Contains($"{TinyNetDeeper.Definition.Name} to be the same architecture as {TinyNet.Definition.Name}", err.ToString());
            Assert.Contains("variant Large", err.ToString());
        }
        finally { Console.SetError(error); }
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void HashChangesWithGrowthModelAndAResumeWithItIsRefused()
    {
        var plain = Synthetic.Config();
        var growth = GrowthConfig();
        Assert.DoesNotContain("growthModel", plain.HashedJson());
        Assert.DoesNotContain("growthModel", plain.ToJson());
        Assert.Contains("growthModel", growth.HashedJson());
        Assert.NotEqual(plain.Hash(), growth.Hash());
        Assert.NotEqual(growth.Hash(), (growth with { GrowthModel = "Other" }).Hash());
        Assert.Equal(growth.Hash(), ExperimentConfig.FromJson(growth.ToJson()).Hash());
        Assert.Equal(growth, ExperimentConfig.FromJson(growth.ToJson()) with { Seeds = growth.Seeds });

        var dir = Synthetic.TempDir();
        new ExperimentRunner(TinyNet.Definition, plain, Synthetic.Data(), dir).PrepareWorkDir();
        var e = Assert.Throws<ConfigMismatchException>(() =>
            new ExperimentRunner(TinyNet.Definition, growth, Synthetic.Data(), dir, null, TinyNetGrowing.Definition).PrepareWorkDir());
        Assert.Contains($"growthModel: null (stored) vs \"{TinyNetGrowing.Definition.Name}\" (now)", e.Message);
        Directory.Delete(dir, true);
    }

    private static RunRecord Rec(RunKind kind, long seed, double? b, double? m) => new()
    {
        Kind = kind, Seed = seed, Condition = kind.ToString(), ConfigHash = "h", BaseAccuracy = b, MotivatedAccuracy = m,
        MeanForwardFlops = 1e6, WallSeconds = 1,
    };

    [Fact]
    public void ComparisonNumbersAreTheRecordsPairedDifferences()
    {
        var runs = new List<RunRecord>
        {
            Rec(RunKind.ClassicalBase, 1, 0.800, null), Rec(RunKind.ClassicalBase, 2, 0.820, null), Rec(RunKind.ClassicalBase, 3, 0.810, null),
            Rec(RunKind.Motivated, 1, 0.810, 0.700), Rec(RunKind.Motivated, 2, 0.830, 0.760), Rec(RunKind.Motivated, 3, 0.800, 0.750),
            // Seed 3's X-F run is not finished: every difference is paired over seeds 1 and 2.
            Rec(RunKind.MotivatedFunctionPreserving, 1, 0.825, 0.790), Rec(RunKind.MotivatedFunctionPreserving, 2, 0.820, 0.800),
            Rec(RunKind.ClassicalLarge, 1, null, 0.840), Rec(RunKind.ClassicalLarge, 2, null, 0.860), Rec(RunKind.ClassicalLarge, 3, null, 0.850),
        };
        var config = Synthetic.Config() with { Seeds = [1, 2, 3], GrowthModel = "G" };
        Assert.Null(Aggregation.Summarize(Synthetic.Config(), "h", runs).Growth);
        Assert.Null(Aggregation.Summarize(config, "h", runs.Where(r => r.Kind != RunKind.MotivatedFunctionPreserving).ToList()).Growth);

        var s = Aggregation.Summarize(config, "h", runs);
        var g = Assert.IsType<GrowthComparison>(s.Growth);
        Assert.Equal("G", g.GrowthModel);
        Assert.Equal(TinyNet.Definition.Name, g.Model);
        var d = g.Differences.ToDictionary(x => $"{x.Row} - {x.Minus}");
        (string Key, double[] Expected)[] cases =
        [
            ("X-F-B - X-Y-B", [100 * (0.825 - 0.810), 100 * (0.820 - 0.830)]),   // +1.5, -1.0
            ("X-F-M - X-Y-M", [100 * (0.790 - 0.700), 100 * (0.800 - 0.760)]),   // +9.0, +4.0
            ("X-F-B - X-C", [100 * (0.825 - 0.800), 100 * (0.820 - 0.820)]),     // +2.5, 0
            ("X-F-M - Y-C", [100 * (0.790 - 0.840), 100 * (0.800 - 0.860)]),     // -5.0, -6.0
        ];
        foreach (var (key, expected) in cases)
        {
            Assert.Equal([1L, 2L], d[key].Seeds);
            Assert.Equal(expected.Length, d[key].Points.Count);
            for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], d[key].Points[i], 9);
            Assert.Equal(expected.Average(), d[key].Stats.Mean, 9);
            Assert.Equal(Stats.Of(expected).Std, d[key].Stats.Std, 9);
        }
        Assert.Equal(1, d["X-F-B - X-Y-B"].Wins);
        Assert.Equal(2, d["X-F-M - X-Y-M"].Wins);
        Assert.Equal(0, d["X-F-M - Y-C"].Wins);
        // The rows' own means still use every finished seed.
        Assert.Equal((0.810 + 0.830 + 0.800) / 3, s.Rows.Single(r => r.Row == "X-Y-B").Metric.Mean, 12);

        var md = ResultsWriter.Markdown(s, null, null, []);
        Assert.Contains("| X-F-B - X-Y-B | base: function-preserving rule minus the paper's rule | 1, 2 | +1.50 / -1.00 | +0.25 | 1.77 | -1.00 | +1.50 | 1 of 2 |", md);
        Assert.Contains("| X-F-M - X-Y-M |", md);
        Assert.Contains("| +9.00 / +4.00 | +6.50 |", md);
        Assert.Contains("| +2.50 / 0.00 | +1.25 |", md);
        Assert.Contains("| -5.00 / -6.00 | -5.50 |", md);
        Assert.Contains("Base (X-F-B vs X-Y-B): the function-preserving rule wins by 0.25 pp on average over 2 seed(s); the function-preserving rule is better in 1 of 2 and worse in 1.", md);
        Assert.Contains("Motivated model (X-F-M vs X-Y-M): the function-preserving rule wins by 6.50 pp", md);
        Assert.Contains("Runs finished: 11 of 12.", md);

        var json = JsonNode.Parse(ResultsWriter.Json(s, null, null))!["growthComparison"]!;
        var first = json["differences"]![0]!;
        Assert.Equal("X-F-B", (string?)first["row"]);
        Assert.Equal("X-Y-B", (string?)first["minus"]);
        Assert.Equal(1.5, (double)first["points"]![0]!, 9);
        Assert.Equal(0.25, (double)first["stats"]!["mean"]!, 9);
        Assert.Equal(1, (int)first["wins"]!);
    }
}

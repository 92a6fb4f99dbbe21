using MotivationDsl.Training;
using MotivationDsl.Training.Schedules;
using static TorchSharp.torch;

namespace MotivationDsl.Experiments.Tests;

public sealed class EqualFlopsBudgetTests
{
    [Fact]
    public void StepsAreTheClosestCountIncludingTheShortLastBatchOfEveryEpoch()
    {
        // 100 images, batch 32: steps of 32, 32, 32, 4 samples per epoch. Per sample: 3 x 10 FLOPs.
        Assert.Equal(4, EqualFlopsBudget.StepsPerEpoch(100, 32));
        Assert.Equal(4, EqualFlopsBudget.SamplesAt(3, 100, 32));
        Assert.Equal(32, EqualFlopsBudget.SamplesAt(4, 100, 32));
        Assert.Equal(30.0 * 100, EqualFlopsBudget.FlopsOfSteps(4, 10, 100, 32));
        // Target 30 x 98 samples: 3 steps = 96 samples (2 short), 4 steps = 100 (2 over): a tie goes to the shorter run.
        Assert.Equal(3, EqualFlopsBudget.Steps(30.0 * 98, 10, 100, 32));
        Assert.Equal(4, EqualFlopsBudget.Steps(30.0 * 99, 10, 100, 32));
        // Target 30 x 150 samples: 100 (one epoch) + 32 = 132, + 32 = 164: 150 is closer to 164 (14) than to 132 (18).
        Assert.Equal(6, EqualFlopsBudget.Steps(30.0 * 150, 10, 100, 32));
        Assert.Equal(1, EqualFlopsBudget.Steps(1, 10, 100, 32));
        Assert.Equal(2, EqualFlopsBudget.Epochs(6, 100, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => EqualFlopsBudget.Steps(0, 10, 100, 32));
    }

    [Fact]
    public void OldRecordsGetTrainingFlopsFromTheirF()
    {
        var r = new RunRecord { Kind = RunKind.Motivated, Seed = 1, Condition = "c", ConfigHash = "h", Epochs = 2, MeanForwardFlops = 70e6 };
        Assert.Equal(3 * 70e6 * 2 * 20000, EqualFlopsBudget.TrainingFlopsOf(r, 20000));
        Assert.Equal(5.0, EqualFlopsBudget.TrainingFlopsOf(r with { TrainingFlops = 5 }, 20000));
    }

    [Fact]
    public void BudgetLoaderStopsAfterItsSteps()
    {
        var inner = new DelegateDataLoader(4, e => Enumerable.Range(0, 4).Select(i => (full(1, 1, (float)(10 * e + i)), zeros(1, ScalarType.Int64))));
        var loader = new StepBudgetLoader(inner, 6);
        Assert.Equal(4, loader.BatchCount);
        Assert.Equal([0f, 1, 2, 3], loader.Batches(0).Select(b => b.Input.item<float>()));
        Assert.Equal([10f, 11], loader.Batches(1).Select(b => b.Input.item<float>()));
        Assert.Empty(loader.Batches(2));
    }

    [Fact]
    public void StretchedCosineSpansTheBudget()
    {
        var cosine = new CosineLr(0.1, 2);
        // 2 epochs of 10 steps compressed into 13 steps: starts at the base LR, halfway at half, ends near 0.
        var s = new StretchedSchedule(cosine, 2, 13);
        Assert.Equal(0.1, s.At(0, 10), 12);
        Assert.Equal(cosine.At((long)Math.Floor(12 * 20 / 13.0), 10), s.At(12, 10), 12);
        Assert.True(s.At(12, 10) < 0.01);
        Assert.True(s.At(6, 10) < 0.1 && s.At(7, 10) > 0.02);
        // Stretched (30 steps for 20): never earlier in the cosine than the plain schedule at the same step.
        var longer = new StretchedSchedule(cosine, 2, 30);
        for (var g = 0; g < 20; g++) Assert.True(longer.At(g, 10) >= cosine.At(g, 10) - 1e-15);
    }
}

public sealed class EqualFlopsRunnerTests
{
    [Fact]
    public void EqualComputeBaselinesMatchTheMotivatedRunsTrainingFlops()
    {
        var dir = Synthetic.TempDir();
        var config = Synthetic.Config() with { Seeds = [1], EqualFlops = true, GrowthModel = TinyNetGrowing.Definition.Name };
        Assert.Equal((Synthetic.Config() with { GrowthModel = TinyNetGrowing.Definition.Name }).Hash(), config.Hash());
        var runner = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), Path.Combine(dir, "work"), growthDefinition: TinyNetGrowing.Definition);
        var records = runner.Run();
        Assert.Equal(6, records.Count);
        RunRecord Get(RunKind k) => records.Single(r => r.Kind == k);
        var xf = Get(RunKind.MotivatedFunctionPreserving);
        Assert.NotNull(xf.TrainingFlops);
        // 96 images, batch 16: 6 full batches per epoch. The trainer's own accounting of every run: 3 x forward FLOPs.
        Assert.Equal(3.0 * xf.MeanForwardFlops * 2 * 96, xf.TrainingFlops!.Value, 1e-6 * xf.TrainingFlops.Value);
        foreach (var (kind, flops) in new[] { (RunKind.ClassicalBaseEqualFlops, xf.BaseFlops), (RunKind.ClassicalLargeEqualFlops, xf.MotivatedFlops) })
        {
            var r = Get(kind);
            Assert.Equal(xf.TrainingFlops, r.ReferenceTrainingFlops);
            Assert.Equal(r.BudgetSteps, r.BaseBatches + r.MotivatedBatches);
            // Within half a step of the target, and no other step count is closer.
            var step = 3.0 * flops * 16;
            Assert.InRange(r.TrainingFlops!.Value, xf.TrainingFlops.Value - step / 2, xf.TrainingFlops.Value + step / 2);
        }
        Assert.True(Get(RunKind.ClassicalBaseEqualFlops).BudgetSteps > 12);      // more steps than X-C's 12
        Assert.True(Get(RunKind.ClassicalLargeEqualFlops).BudgetSteps < 12);     // fewer than Y-C's
        Assert.Equal(0, Get(RunKind.ClassicalBaseEqualFlops).MotivatedShare);
        Assert.Equal(1, Get(RunKind.ClassicalLargeEqualFlops).MotivatedShare);
        Assert.Null(Get(RunKind.ClassicalBaseEqualFlops).MotivatedAccuracy);
        Assert.Null(Get(RunKind.ClassicalLargeEqualFlops).BaseAccuracy);

        var summary = Aggregation.Summarize(config, runner.ConfigHash, records);
        Assert.Contains(summary.Rows, r => r.Row == "X-C=F");
        Assert.Contains(summary.Rows, r => r.Row == "Y-C=F");
        Assert.NotNull(summary.EqualFlops);
        Assert.Equal("X-F", summary.EqualFlops!.Reference);
        var d = summary.EqualFlops.Differences.First(x => x.Row == "X-F-B" && x.Minus == "X-C=F");
        Assert.Equal(100 * (xf.BaseAccuracy!.Value - Get(RunKind.ClassicalBaseEqualFlops).BaseAccuracy!.Value), d.Points.Single(), 9);
        var files = ResultsWriter.Write(Path.Combine(dir, "results"), summary);
        Assert.Contains(files, f => f.EndsWith("-acc-vs-training-flops-function-preserving.png", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("-acc-vs-training-flops-paper.png", StringComparison.Ordinal));
        Assert.All(files, f => Assert.True(new FileInfo(f).Length > 0, f));
        Assert.Contains("## Equal training compute", File.ReadAllText(files[0]));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void OutcomeNeedsTheMeanToExceedThePairedSpread()
    {
        MetricDifference D(params double[] p) => new()
        {
            Row = "a", Minus = "b", Description = "", Seeds = p.Select((_, i) => (long)i).ToList(), Points = p, Stats = Stats.Of(p),
        };
        Assert.Equal(Outcome.Better, D(1.0, 1.2, 0.9).Outcome);
        Assert.Equal(Outcome.Worse, D(-1.0, -1.2, -0.9).Outcome);
        Assert.Equal(Outcome.NotDistinguishable, D(1.0, -0.5, 2.0).Outcome);   // mean 0.83, std 1.26
        Assert.Equal(Outcome.NotDistinguishable, D(3.0).Outcome);
        Assert.StartsWith("not distinguishable", ResultsWriter.Sentence(D(1.0, -0.5, 2.0)));
        Assert.StartsWith("a is better", ResultsWriter.Sentence(D(1.0, 1.2, 0.9)));
    }
}

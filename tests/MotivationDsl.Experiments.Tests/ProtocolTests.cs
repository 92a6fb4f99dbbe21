using MotivationDsl.Training;

namespace MotivationDsl.Experiments.Tests;

public sealed class ProtocolTests
{
    [Fact]
    public void ProtocolProducesAllRowsAndResultFiles()
    {
        var dir = Synthetic.TempDir();
        var config = Synthetic.Config(ablations: true);
        var runner = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), Path.Combine(dir, "work"));
        var records = runner.Run();

        Assert.Equal(2 * 5, records.Count);
        var summary = Aggregation.Summarize(config, runner.ConfigHash, records);
        Assert.Equal(["X-C", "X-Y-B", "X-Y-M", "Y-C", "X-R-B", "X-R-M", "X-E-B", "X-E-M"], summary.Rows.Select(r => r.Row));
        Assert.All(summary.Rows, r => Assert.Equal(2, r.Metric.N));

        var xc = records.Where(r => r.Kind == RunKind.ClassicalBase).ToList();
        Assert.All(xc, r => { Assert.Equal(0, r.MotivatedShare); Assert.Equal(r.BaseFlops, r.MeanForwardFlops); Assert.Null(r.MotivatedAccuracy); });
        var yc = records.Where(r => r.Kind == RunKind.ClassicalLarge).ToList();
        Assert.All(yc, r => { Assert.Equal(1, r.MotivatedShare); Assert.Equal(r.MotivatedFlops, r.MeanForwardFlops); Assert.Null(r.BaseAccuracy); });
        var xy = records.Where(r => r.Kind == RunKind.Motivated).ToList();
        Assert.All(xy, r => Assert.InRange(r.MotivatedShare, 1e-9, 1 - 1e-9));
        // The random ablation runs at the share its seed's X-Y run measured.
        foreach (var r in records.Where(r => r.Kind == RunKind.RandomAblation))
            Assert.Equal(xy.Single(m => m.Seed == r.Seed).MotivatedShare, r.Rate);

        var files = ResultsWriter.Write(Path.Combine(dir, "results"), summary, "test command", "test machine");
        Assert.All(files, f => Assert.True(new FileInfo(f).Length > 0, f));
        var md = File.ReadAllText(files[0]);
        Assert.Contains("| X-Y-M |", md);
        Assert.Contains("Runs finished: 10 of 10.", md);
        Assert.Contains("test command", md);
        Directory.Delete(dir, true);
    }
}

public sealed class AggregationTests
{
    private static RunRecord Rec(RunKind kind, long seed, double? b, double? m, double f, double share = 0) => new()
    {
        Kind = kind, Seed = seed, Condition = kind.ToString(), ConfigHash = "h", BaseAccuracy = b, MotivatedAccuracy = m,
        MeanForwardFlops = f, MotivatedShare = share, WallSeconds = 10 * seed,
    };

    [Fact]
    public void StatsAreSampleStatistics()
    {
        var s = Stats.Of([0.80, 0.82, 0.87]);
        Assert.Equal(0.83, s.Mean, 12);
        // deviations -0.03, -0.01, 0.04: squares 9e-4 + 1e-4 + 16e-4 = 26e-4; / (n - 1) = 13e-4
        Assert.Equal(Math.Sqrt(13e-4), s.Std, 12);
        Assert.Equal(0.80, s.Min);
        Assert.Equal(0.87, s.Max);
        Assert.Equal(0, Stats.Of([0.5]).Std);
    }

    [Fact]
    public void Eq1AccPerFlopsAndRatioByHand()
    {
        const double fb = 60e6, fl = 100e6;
        var runs = new List<RunRecord>
        {
            Rec(RunKind.ClassicalBase, 1, 0.80, null, fb), Rec(RunKind.ClassicalBase, 2, 0.82, null, fb),
            Rec(RunKind.Motivated, 1, 0.81, 0.70, 68e6, 0.2), Rec(RunKind.Motivated, 2, 0.85, 0.74, 72e6, 0.3),
            Rec(RunKind.ClassicalLarge, 1, null, 0.84, fl, 1), Rec(RunKind.ClassicalLarge, 2, null, 0.86, fl, 1),
        };
        var s = Aggregation.Summarize(Synthetic.Config(), "h", runs);
        var row = s.Rows.ToDictionary(r => r.Row);
        // X-C: mean acc 0.81, F 60 M. X-Y: F mean 70 M, base mean 0.83, motivated mean 0.72. Y-C: 0.85 at 100 M.
        Assert.Equal(0.81, row["X-C"].Metric.Mean, 12);
        Assert.True(double.IsNaN(row["X-C"].AccPerFlops));
        var xyb = (0.83 - 0.81) / (70e6 - 60e6);
        var xym = (0.72 - 0.81) / (70e6 - 60e6);
        var yc = (0.85 - 0.81) / (100e6 - 60e6);
        Assert.Equal(xyb * 1e9, row["X-Y-B"].AccPerFlops * 1e9, 12);
        Assert.Equal(xym * 1e9, row["X-Y-M"].AccPerFlops * 1e9, 12);
        Assert.Equal(yc * 1e9, row["Y-C"].AccPerFlops * 1e9, 12);
        Assert.Equal(xyb / yc, row["X-Y-B"].AccFRatio, 9);   // 2e-9 / 1e-9 = 2
        Assert.Equal(2.0, row["X-Y-B"].AccFRatio, 9);
        Assert.Equal(1.0, row["Y-C"].AccFRatio, 12);
        Assert.Equal(0.25, row["X-Y-B"].MotivatedShare.Mean, 12);
        // Per seed: seed 1 (0.81-0.80)/8e6, seed 2 (0.85-0.82)/12e6.
        Assert.Equal(((0.01 / 8e6) + (0.03 / 12e6)) / 2 * 1e9, row["X-Y-B"].AccPerFlopsPerSeed.Mean * 1e9, 12);
        // The same numbers through the trainer's Efficiency (paper Eq. 1) on the seed means.
        var e = Efficiency.AccFRatio(new RunPoint(0.83, 70e6), new RunPoint(0.85, 100e6), new RunPoint(0.81, 60e6));
        Assert.Equal(e, row["X-Y-B"].AccFRatio, 12);
    }
}

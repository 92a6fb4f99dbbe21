using MotivationDsl.Training.Optimizers;
using static TorchSharp.torch;

namespace MotivationDsl.Training.Tests;

/// <summary>What a first training program touches: the final test results and the thread count.</summary>
public sealed class CommonPathTests
{
    [Fact]
    public void Fit_with_a_test_loader_sets_both_final_results()
    {
        var (train, test) = Synthetic.Data(train: 32);
        using var _ = train; using var __ = test;
        using var t = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions { Optimizer = new SgdOptions(0.05), Seed = 2 });
        var r = t.Fit(train, test, 1);
        Assert.True(r.FinalBase.Evaluated);
        Assert.True(r.FinalMotivated.Evaluated);
        Assert.Equal(r.Epochs[^1].BaseTest, r.FinalBase);
        Assert.Equal(128, r.FinalMotivated.Samples);
        Assert.InRange(r.FinalBase.Accuracy, 0, 1);
    }

    [Fact]
    public void Fit_without_a_test_loader_reports_NotEvaluated_and_the_efficiency_metrics_refuse_it()
    {
        var (train, test) = Synthetic.Data(train: 32);
        using var _ = train; using var __ = test;
        using var t = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions { Optimizer = new SgdOptions(0.05), Seed = 2 });
        var r = t.Fit(train, null, 1);
        Assert.Same(EvalResult.NotEvaluated, r.FinalBase);
        Assert.False(r.FinalMotivated.Evaluated);
        Assert.True(double.IsNaN(r.FinalBase.Accuracy));
        var error = Assert.Throws<ArgumentException>(() => RunPoint.BaseOf(r));
        Assert.Contains("no final base test accuracy", error.Message);
    }

    [Fact]
    public void A_report_json_with_null_final_results_reads_back_as_NotEvaluated()
    {
        var (train, test) = Synthetic.Data(train: 32);
        using var _ = train; using var __ = test;
        using var t = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions { Optimizer = new SgdOptions(0.05), Seed = 2 });
        var json = t.Fit(train, test, 1).ToJson();
        Assert.Contains("\"finalBase\": {", json);
        Assert.DoesNotContain("\"evaluated\"", json);
        var old = System.Text.RegularExpressions.Regex.Replace(json, "\"finalBase\": \\{[^}]*\\}", "\"finalBase\": null");
        Assert.NotEqual(json, old);
        var back = FitReport.FromJson(old);
        Assert.Same(EvalResult.NotEvaluated, back.FinalBase);
        Assert.True(back.FinalMotivated.Evaluated);
    }

    [Fact]
    public void TrainerOptions_Threads_sets_LibTorchs_thread_count_and_rejects_zero()
    {
        var before = get_num_threads();
        try
        {
            using (MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions { Optimizer = new SgdOptions(0.05), Threads = 2 }))
                Assert.Equal(2, get_num_threads());
            using (MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions { Optimizer = new SgdOptions(0.05) }))
                Assert.Equal(2, get_num_threads());   // null leaves it alone
            var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
                MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions { Optimizer = new SgdOptions(0.05), Threads = 0 }));
            Assert.Contains("Threads", error.Message);
        }
        finally { set_num_threads(before); }
    }
}

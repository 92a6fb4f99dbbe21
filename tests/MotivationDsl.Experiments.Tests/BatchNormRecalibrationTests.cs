using MotivationDsl.Data;
using MotivationDsl.Training;
using BatchNorm = TorchSharp.Modules.BatchNorm;
using static TorchSharp.torch;

namespace MotivationDsl.Experiments.Tests;

public sealed class BatchNormRecalibrationTests
{
    private static DataLoader Loader(int count, int batch) =>
        new(Synthetic.Make(count, 3), new DataLoaderOptions { BatchSize = batch, Shuffle = false, Normalize = new Normalization([0.3f], [0.3f]) });

    [Fact]
    public void TheFirstLayersStatisticsBecomeThePlainMeanOfTheFirstNBatchesStatistics()
    {
        using var pair = TinyNet.Definition.CreatePair(CPU, 5);
        var model = pair.Base;
        var bn1 = (BatchNorm)model.named_modules().Single(m => m.name == "bn1").module;
        var conv1 = (nn.Module<Tensor, Tensor>)model.named_modules().Single(m => m.name == "conv1").module;
        using (no_grad())
        {
            bn1.running_mean!.fill_(7);
            bn1.running_var!.fill_(9);
        }
        var weights = model.parameters().Select(p => p.detach().clone()).ToList();
        var momentum = bn1.momentum;
        model.eval();

        var loader = Loader(40, 8);   // 5 batches; use the first 3
        var layers = BatchNormStatistics.Recalibrate(model, loader, 3);

        // What update_bn computes: for bn1, the mean over batches of conv1's per-channel batch mean and unbiased variance.
        var means = new List<Tensor>();
        var vars = new List<Tensor>();
        using (no_grad())
            foreach (var (x, _) in loader.Batches(0).Take(3))
            {
                var y = conv1.call(x);
                means.Add(y.mean([0, 2, 3]));
                vars.Add(y.var([0, 2, 3], unbiased: true));
            }
        var expectedMean = stack(means).mean([0]);
        var expectedVar = stack(vars).mean([0]);
        Assert.Equal(BatchNormStatistics.Layers(model).Count, layers);
        Assert.True(layers > 1);
        var scale = expectedVar.abs().max().item<float>();
        Assert.True((bn1.running_mean! - expectedMean).abs().max().item<float>() < 1e-4 * scale, "running mean is not the mean of the batches' means");
        Assert.True((bn1.running_var! - expectedVar).abs().max().item<float>() < 1e-4 * scale, "running var is not the mean of the batches' variances");

        // Only the statistics changed: weights, momentum and the eval mode are as before.
        foreach (var (before, after) in weights.Zip(model.parameters())) Assert.True(before.allclose(after.detach(), rtol: 0, atol: 0));
        Assert.Equal(momentum, bn1.momentum);
        Assert.False(model.training);
    }

    [Fact]
    public void MoreBatchesThanTheLoaderHasUsesEveryBatchAndZeroBatchesIsRefused()
    {
        using var pair = TinyNet.Definition.CreatePair(CPU, 5);
        using var a = TinyNet.Definition.CreatePair(CPU, 5);
        BatchNormStatistics.Recalibrate(pair.Base, Loader(24, 8), 100);   // 3 batches
        BatchNormStatistics.Recalibrate(a.Base, Loader(24, 8), 3);
        foreach (var (x, y) in BatchNormStatistics.Layers(pair.Base).Zip(BatchNormStatistics.Layers(a.Base)))
            Assert.True(x.running_var!.allclose(y.running_var!));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchNormStatistics.Recalibrate(pair.Base, Loader(24, 8), 0));
    }

    [Fact]
    public void AFinishedJobIsReEvaluatedFromItsFinalCheckpointAsRecordedAndAfterReEstimation()
    {
        var dir = Synthetic.TempDir();
        var config = Synthetic.Config(epochs: 2) with { Seeds = [1], GrowthModel = TinyNetGrowing.Definition.Name };
        var runner = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), dir, growthDefinition: TinyNetGrowing.Definition);
        var records = runner.Run();
        Assert.Equal([(RunKind.ClassicalBase, 1L), (RunKind.MotivatedFunctionPreserving, 1L), (RunKind.Motivated, 1L), (RunKind.ClassicalLarge, 1L)],   // x-c, x-f, x-y, y-c
            runner.JobsWithFinalCheckpoint().OrderBy(j => ExperimentRunner.JobName(j.Kind, j.Seed), StringComparer.Ordinal));

        var log = new StringWriter();
        var again = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), dir, log, TinyNetGrowing.Definition);
        var results = again.RecalibrateBatchNorm(RunKind.MotivatedFunctionPreserving, 1, 2);
        var record = records.Single(r => r.Kind == RunKind.MotivatedFunctionPreserving);
        Assert.Equal([ModelRole.Base, ModelRole.Motivated], results.Select(r => r.Role));
        Assert.Equal(record.BaseAccuracy, results[0].AsTrained.Accuracy);
        Assert.Equal(record.MotivatedAccuracy, results[1].AsTrained.Accuracy);
        Assert.Equal(record.MotivatedLoss!.Value, results[1].AsTrained.Loss, 6);
        Assert.All(results, r => Assert.Equal(48, r.Recalibrated.Samples));
        Assert.Contains("[x-f-seed1] motivated: test acc", log.ToString());
        // The report pairs the re-estimated models by seed (X-F-M - Y-C needs both jobs' records).
        var yc = again.RecalibrateBatchNorm(RunKind.ClassicalLarge, 1, 2);
        var md = RecalibrateBnCommand.Markdown(config, records, [.. results, .. yc], "cmd", "machine");
        var expected = 100 * (results[1].Recalibrated.Accuracy - yc[0].Recalibrated.Accuracy);
        Assert.Contains($"| X-F-M - Y-C | motivated model (function-preserving) minus the large model trained classically | 1 | {expected:+0.00;-0.00;0.00} |", md);
        Assert.DoesNotContain("no seed has both rows", md);
        // A classical job evaluates only its model; the work folder is unchanged (the record still says what training gave).
        Assert.Equal([ModelRole.Base], again.RecalibrateBatchNorm(RunKind.ClassicalBase, 1, 2).Select(r => r.Role));
        Assert.Equal(record.ToJson(), File.ReadAllText(again.RecordPath(RunKind.MotivatedFunctionPreserving, 1)));

        // Without the final checkpoint (a job restored from a results JSON) there is no model to evaluate: a clear error.
        Directory.Delete(again.CheckpointDir(RunKind.Motivated, 1), true);
        Assert.Null(again.FinalCheckpoint(RunKind.Motivated, 1));
        var e = Assert.Throws<FileNotFoundException>(() => again.RecalibrateBatchNorm(RunKind.Motivated, 1, 2));
        Assert.Contains("x-y-seed1 has no final checkpoint", e.Message);
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("x-f-seed4", RunKind.MotivatedFunctionPreserving, 4L)]
    [InlineData("y-c-eq-seed12", RunKind.ClassicalLargeEqualFlops, 12L)]
    [InlineData("x-c-seed1", RunKind.ClassicalBase, 1L)]
    public void JobNamesParseBack(string name, RunKind kind, long seed)
    {
        Assert.Equal((kind, seed), ExperimentRunner.ParseJobName(name));
        Assert.Equal(name, ExperimentRunner.JobName(kind, seed));
    }

    [Theory]
    [InlineData("x-q-seed1")]
    [InlineData("x-f-seed")]
    [InlineData("x-f")]
    [InlineData("x-f-seed-1")]
    public void OtherNamesAreNotJobNames(string name) => Assert.Null(ExperimentRunner.ParseJobName(name));
}

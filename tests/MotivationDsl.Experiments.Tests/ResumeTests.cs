using MotivationDsl.Training;

namespace MotivationDsl.Experiments.Tests;

public sealed class ResumeTests
{
    private sealed class Interrupt(RunKind kind, long seed, RunKind atKind, long atSeed, int afterEpochs) : TrainerCallback
    {
        public override void OnEpochEnd(MotivationTrainer trainer, EpochMetrics metrics)
        {
            if (kind == atKind && seed == atSeed && trainer.CompletedEpochs == afterEpochs)
                throw new OperationCanceledException("simulated crash");
        }
    }

    /// <summary>Runs the experiment in <paramref name="work"/> until the X-Y job of seed 1 has checkpointed its 2nd epoch.</summary>
    private static ExperimentRunner InterruptedAfterTwoMotivatedEpochs(ExperimentConfig config, string work)
    {
        var runner = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), work)
        {
            ExtraCallbacks = (k, s) => [new Interrupt(k, s, RunKind.Motivated, 1, 2)],
        };
        Assert.Throws<OperationCanceledException>(() => runner.Run());
        return runner;
    }

    [Fact]
    public void ResumeSkipsFinishedRunsAndContinuesAnInterruptedOneExactly()
    {
        var dir = Synthetic.TempDir();
        var config = Synthetic.Config(epochs: 3) with { Seeds = [1] };

        // Reference: uninterrupted.
        var reference = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), Path.Combine(dir, "a")).Run();

        // Interrupted during the X-Y run (after its 2nd epoch's checkpoint).
        var work = Path.Combine(dir, "b");
        var first = InterruptedAfterTwoMotivatedEpochs(config, work);
        Assert.True(File.Exists(first.RecordPath(RunKind.ClassicalBase, 1)));
        Assert.False(File.Exists(first.RecordPath(RunKind.Motivated, 1)));
        Assert.NotNull(CheckpointCallback.Latest(first.CheckpointDir(RunKind.Motivated, 1)));
        var xcWritten = File.GetLastWriteTimeUtc(first.RecordPath(RunKind.ClassicalBase, 1));

        var log = new StringWriter();
        var second = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), work, log);
        var resumed = second.Run();

        var text = log.ToString();
        Assert.Contains("[x-c-seed1] done already, skipped", text);
        Assert.Contains("[x-y-seed1] resuming from epoch-0002.mdckpt (2 epochs done)", text);
        Assert.Equal(xcWritten, File.GetLastWriteTimeUtc(second.RecordPath(RunKind.ClassicalBase, 1)));

        Assert.Equal(reference.Count, resumed.Count);
        foreach (var (a, b) in reference.Zip(resumed))
        {
            Assert.Equal(a.Kind, b.Kind);
            Assert.Equal(a.BaseAccuracy, b.BaseAccuracy);
            Assert.Equal(a.MotivatedAccuracy, b.MotivatedAccuracy);
            Assert.Equal(a.BaseLoss, b.BaseLoss);
            Assert.Equal(a.MotivatedLoss, b.MotivatedLoss);
            Assert.Equal(a.MeanForwardFlops, b.MeanForwardFlops);
            Assert.Equal(a.MotivatedShare, b.MotivatedShare);
            Assert.Equal(a.TrainLoss, b.TrainLoss);
        }
        Assert.Equal(2, resumed.Single(r => r.Kind == RunKind.Motivated).ResumedFromEpoch);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void ATruncatedCheckpointIsSetAsideWithAWarningAndTheJobRestartsFromTheNewestIntactStateExactly()
    {
        var dir = Synthetic.TempDir();
        var config = Synthetic.Config(epochs: 3) with { Seeds = [1] };
        var reference = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), Path.Combine(dir, "a")).Run();

        var work = Path.Combine(dir, "b");
        var first = InterruptedAfterTwoMotivatedEpochs(config, work);
        var newest = CheckpointCallback.Latest(first.CheckpointDir(RunKind.Motivated, 1))!;
        Assert.Equal("epoch-0002.mdckpt", Path.GetFileName(newest));
        var bytes = File.ReadAllBytes(newest);
        File.WriteAllBytes(newest, bytes[..(bytes.Length / 2)]);

        var log = new StringWriter();
        var resumed = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), work, log).Run();

        var text = log.ToString();
        // The runner keeps one checkpoint per job, so no intact one is left: the job starts over (same seed, same result).
        Assert.Contains("[x-y-seed1] warning: skipping checkpoint epoch-0002.mdckpt (kept as epoch-0002.mdckpt.corrupt)", text);
        Assert.Contains("[x-y-seed1] start:", text);
        Assert.True(File.Exists(newest + ".corrupt"));
        var a = reference.Single(r => r.Kind == RunKind.Motivated);
        var b = resumed.Single(r => r.Kind == RunKind.Motivated);
        Assert.Equal(a.BaseLoss, b.BaseLoss);
        Assert.Equal(a.MotivatedLoss, b.MotivatedLoss);
        Assert.Equal(a.MotivatedShare, b.MotivatedShare);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void AnotherConfigurationIsRefusedWithAClearMessage()
    {
        var dir = Synthetic.TempDir();
        var config = Synthetic.Config();
        new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), dir).PrepareWorkDir();

        var changed = config with { Epochs = 5, LearningRate = 0.2 };
        var e = Assert.Throws<ConfigMismatchException>(() => new ExperimentRunner(TinyNet.Definition, changed, Synthetic.Data(), dir).PrepareWorkDir());
        Assert.Contains($"configuration hash {config.Hash()}", e.Message);
        Assert.Contains($"hashes to {changed.Hash()}", e.Message);
        Assert.Contains("epochs: 2 (stored) vs 5 (now)", e.Message);
        Assert.Contains("learningRate: 0.05 (stored) vs 0.2 (now)", e.Message);

        // Seeds and ablations only choose which jobs exist: adding them is a resume, not a mismatch.
        new ExperimentRunner(TinyNet.Definition, config with { Seeds = [1, 2, 3], Ablations = true }, Synthetic.Data(), dir).PrepareWorkDir();
        Directory.Delete(dir, true);
    }
}

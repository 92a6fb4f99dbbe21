using MotivationDsl.Training.Optimizers;
using MotivationDsl.Training.Schedules;

namespace MotivationDsl.Training.Tests;

public class ScheduleTests
{
    [Fact]
    public void Cosine_with_linear_warmup()
    {
        var s = new CosineLr(0.1, TotalEpochs: 10, WarmupEpochs: 2);
        const int spe = 10;
        Assert.Equal(0.1 * 1 / 20, s.At(0, spe), 12);
        Assert.Equal(0.1 * 10 / 20, s.At(9, spe), 12);
        Assert.Equal(0.1, s.At(19, spe), 12);
        Assert.Equal(0.1, s.At(20, spe), 12);
        Assert.Equal(0.05, s.At(60, spe), 12);
        Assert.Equal(0.1 * 0.5 * (1 + Math.Cos(Math.PI * 0.25)), s.At(40, spe), 12);
        Assert.Equal(0, s.At(100, spe), 12);
        Assert.Equal(0, s.At(150, spe), 12);
    }

    [Fact]
    public void Step_decays_every_n_epochs()
    {
        var s = new StepLr(0.1, StepEpochs: 3, Gamma: 0.1);
        Assert.Equal(0.1, s.At(0, 5), 12);
        Assert.Equal(0.1, s.At(14, 5), 12);
        Assert.Equal(0.01, s.At(15, 5), 12);
        Assert.Equal(0.001, s.At(30, 5), 12);
    }

    [Fact]
    public void Exponential_paper_efficientnet_recipe()
    {
        var s = new ExponentialLr(0.01, 0.97, EveryEpochs: 2, WarmupEpochs: 5);
        const int spe = 4;
        Assert.Equal(0.01 / 20, s.At(0, spe), 12);
        Assert.Equal(0.01, s.At(19, spe), 12);
        Assert.Equal(0.01, s.At(20, spe), 12);  // epoch 5
        Assert.Equal(0.01, s.At(27, spe), 12);  // epoch 6
        Assert.Equal(0.0097, s.At(28, spe), 12); // epoch 7
        Assert.Equal(0.01 * 0.97 * 0.97, s.At(36, spe), 12);
    }

    [Fact]
    public void Both_optimizers_get_the_scheduled_lr_of_the_global_step()
    {
        var seen = new List<(double Base, double Motivated, long Step)>();
        var (train, _) = Synthetic.Data(train: 64, batch: 16);
        using var __ = train;
        var schedule = new CosineLr(0.05, TotalEpochs: 2, WarmupEpochs: 1);
        using var trainer = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions
        {
            Optimizer = new SgdOptions(0.05, Momentum: 0.9),
            Schedule = schedule,
            Callbacks = [new Probe(seen)],
            Seed = 3,
        });
        trainer.Fit(train, null, 2);
        Assert.Equal(8, seen.Count);
        foreach (var (b, m, step) in seen)
        {
            Assert.Equal(schedule.At(step, 4), b);
            Assert.Equal(b, m);
        }
    }

    private sealed class Probe(List<(double, double, long)> seen) : TrainerCallback
    {
        public override void OnBatchStart(MotivationTrainer t, int epoch, int batch, long step, ModelRole active) =>
            seen.Add((t.BaseOptimizer.LearningRate, t.MotivatedOptimizer.LearningRate, step));
    }
}

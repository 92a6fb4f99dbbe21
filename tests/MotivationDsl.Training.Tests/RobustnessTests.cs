using MotivationDsl.Training.Checkpoints;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using MotivationDsl.Training.Schedules;
using static TorchSharp.torch;

namespace MotivationDsl.Training.Tests;

/// <summary>Issue 10 §2/§3 in the library: the non-finite loss guard, the shared recipe's validation, checkpoint checksums.</summary>
public sealed class RobustnessTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mdsl-robust-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        AtomicFile.BeforeCommit = null;
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Cross entropy, except NaN (or +inf) on the global steps in <paramref name="bad"/> (counted per loss call).</summary>
    private static TrainerOptions Options(NonFiniteLossPolicy policy, Func<int, double?> bad, IMotivationCondition? condition = null)
    {
        var call = 0;
        return new TrainerOptions
        {
            Optimizer = new SgdOptions(0.05, Momentum: 0.9),
            Schedule = new ConstantLr(0.05),
            Condition = condition ?? new ConsecutiveDecrease(2),
            Seed = 3,
            NonFiniteLoss = policy,
            Loss = (o, t) =>
            {
                var loss = nn.functional.cross_entropy(o, t);
                return bad(call++) is { } v ? loss * 0 + v : loss;
            },
        };
    }

    private static Dictionary<string, Tensor> Weights(MotivationTrainer t) => Snap.State(t.Pair.Base);

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Stop_names_the_step_and_the_model_and_never_steps_on_the_bad_loss(double value)
    {
        var (train, _) = Synthetic.Data(train: 64, batch: 16);
        using var __ = train;
        using var t = MotivationTrainer.Create(new TinyDefinition(), Options(NonFiniteLossPolicy.Stop, i => i == 2 ? value : null));
        var ex = Assert.Throws<NonFiniteLossException>(() => t.Fit(train, null, 1));
        Assert.Equal(2, ex.GlobalStep);
        Assert.Equal(0, ex.Epoch);
        Assert.Equal(2, ex.Batch);
        Assert.Equal(value, ex.Loss);
        Assert.Contains($"The training loss became {value} at step 2 (epoch 1, batch 3) while the {(ex.Model == ModelRole.Base ? "base" : "motivated")} model trained", ex.Message);
        Assert.Equal(2, t.GlobalStep);   // the bad batch is not counted
        foreach (var (_, w) in Weights(t)) Assert.True(w.isfinite().all().item<bool>());
    }

    [Fact]
    public void Skip_leaves_the_weights_as_if_the_batch_was_not_there_and_counts_it()
    {
        var (train, _) = Synthetic.Data(train: 64, batch: 16);
        using var __ = train;
        // Batch 3 of 4 is NaN: no optimizer step for it (the base trains alone: its step count says how many steps it made).
        using var skipping = MotivationTrainer.Create(new TinyDefinition(), Options(NonFiniteLossPolicy.SkipBatch, i => i == 2 ? double.NaN : null, new Never()));
        var report = skipping.Fit(train, null, 1);
        Assert.Equal(1, report.Epochs[0].SkippedBatches);
        Assert.Equal(1, report.Accounting.SkippedBatches);
        Assert.Equal(3, report.Epochs[0].BaseBatches + report.Epochs[0].MotivatedBatches);
        Assert.Equal(3, skipping.GlobalStep);
        Assert.All(skipping.BaseOptimizer.ParameterNames, p => Assert.Equal(3, skipping.BaseOptimizer.GetStep(p)));
        foreach (var (_, w) in Weights(skipping)) Assert.True(w.isfinite().all().item<bool>());
    }

    [Fact]
    public void Skip_stops_when_a_whole_epoch_is_non_finite()
    {
        var (train, _) = Synthetic.Data(train: 64, batch: 16);
        using var __ = train;
        using var t = MotivationTrainer.Create(new TinyDefinition(), Options(NonFiniteLossPolicy.SkipBatch, i => i >= 4 ? double.NaN : null));
        var ex = Assert.Throws<NonFiniteLossException>(() => t.Fit(train, null, 3));
        Assert.Equal(1, ex.Epoch);
        Assert.Contains("Every batch of epoch 2 had a non-finite training loss", ex.Message);
    }

    [Theory]
    [InlineData("sgd", -0.1, 0.9, 0.0, "lr must be a finite number greater than 0 (got -0.1).")]
    [InlineData("sgd", double.NaN, 0.9, 0.0, "lr must be a finite number greater than 0 (got NaN).")]
    [InlineData("sgd", double.PositiveInfinity, 0.9, 0.0, "lr must be a finite number greater than 0 (got Infinity).")]
    [InlineData("sgd", 0.1, 1.0, 0.0, "momentum must be at least 0 and less than 1 (got 1).")]
    [InlineData("sgd", 0.1, -0.5, 0.0, "momentum must be at least 0 and less than 1 (got -0.5).")]
    [InlineData("adamw", 0.1, 0.9, double.NaN, "weight decay must be a finite number of at least 0 (got NaN).")]
    [InlineData("lamb", 0.1, 0.9, 0.0, "Unknown optimizer 'lamb'. Choose one of: sgd, adamw, rmsprop.")]
    public void The_recipe_validates_every_value_with_the_callers_names(string optimizer, double lr, double momentum, double wd, string expected)
    {
        var recipe = new TrainingRecipe { Optimizer = optimizer, LearningRate = lr, Momentum = momentum, WeightDecay = wd };
        var ex = Assert.Throws<RecipeException>(() => recipe.Validate(s => s switch
        {
            RecipeSetting.LearningRate => "lr",
            RecipeSetting.WeightDecay => "weight decay",
            _ => s.ToString().ToLowerInvariant(),
        }));
        Assert.Equal(expected, ex.Message);
    }

    [Fact]
    public void The_recipe_builds_every_optimizer_and_schedule_it_names()
    {
        foreach (var o in TrainingRecipe.Optimizers)
            foreach (var s in TrainingRecipe.Schedules)
            {
                var r = new TrainingRecipe { Optimizer = o, Schedule = s, Epochs = 6, WarmupEpochs = 1 }.Validate(x => x.ToString());
                Assert.Equal(r.EffectiveLearningRate, r.CreateOptimizer().LearningRate);
                Assert.Equal(r.EffectiveLearningRate, r.CreateSchedule().At(1 * 10, 10), 12);
            }
        Assert.IsType<SgdOptions>(new TrainingRecipe().CreateOptimizer());
        Assert.Equal(0.05, ((AdamOptions)new TrainingRecipe { Optimizer = "adamw" }.CreateOptimizer()).WeightDecay);
    }

    private string Checkpoint(int epochs, string name)
    {
        var (train, _) = Synthetic.Data(train: 32);
        using var __ = train;
        using var t = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions { Optimizer = new SgdOptions(0.05), Seed = 1 });
        t.Fit(train, null, epochs);
        var path = Path.Combine(_dir, name);
        t.SaveCheckpoint(path);
        return path;
    }

    [Fact]
    public void A_flipped_tensor_byte_is_detected_on_open()
    {
        var path = Checkpoint(1, "epoch-0001.mdckpt");
        using (CheckpointFile.Open(path)) { }
        var bytes = File.ReadAllBytes(path);
        bytes[^100] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => CheckpointFile.Open(path));
        Assert.Contains("does not match its checksum", ex.Message);
        using var t = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions { Optimizer = new SgdOptions(0.05) });
        var before = Snap.State(t.Pair.Base);
        Assert.Throws<InvalidDataException>(() => t.LoadCheckpoint(path));
        Snap.AssertBitwiseEqual(before, Snap.State(t.Pair.Base));
    }

    [Fact]
    public void Latest_intact_skips_damaged_newer_checkpoints_and_names_them()
    {
        var first = Checkpoint(1, "epoch-0001.mdckpt");
        var second = Checkpoint(2, "epoch-0002.mdckpt");
        var third = Path.Combine(_dir, "epoch-0003.mdckpt");
        File.WriteAllBytes(third, File.ReadAllBytes(second)[..200]);
        var (path, skipped) = CheckpointCallback.LatestIntact(_dir);
        Assert.Equal(second, path);
        Assert.Equal(third, Assert.Single(skipped).Path);
        Assert.Contains("truncated", skipped[0].Reason);
        File.WriteAllBytes(second, []);
        (path, skipped) = CheckpointCallback.LatestIntact(_dir);
        Assert.Equal(first, path);
        Assert.Equal([third, second], skipped.Select(s => s.Path));
    }

    [Fact]
    public void A_failed_commit_keeps_the_old_file_and_leaves_no_temporary()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "a.txt");
        AtomicFile.WriteAllText(path, "old");
        AtomicFile.BeforeCommit = p => { if (p.StartsWith(_dir, StringComparison.Ordinal)) throw new IOException($"No space left on device : '{p}'"); };
        Assert.Throws<IOException>(() => AtomicFile.WriteAllText(path, "new"));
        AtomicFile.BeforeCommit = null;
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
        File.WriteAllText(Path.Combine(_dir, ".a.txt.0123.tmp"), "");
        Assert.Single(AtomicFile.RemoveLeftovers(_dir));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }
}

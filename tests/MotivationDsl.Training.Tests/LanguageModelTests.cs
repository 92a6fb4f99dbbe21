using MotivationDsl.Data;
using MotivationDsl.Training.Checkpoints;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using MotivationDsl.Training.Schedules;
using static TorchSharp.torch;

namespace MotivationDsl.Training.Tests;

/// <summary>The language-model task end to end on the TinyGpt test fixture and the embedded text sample.</summary>
public sealed class LanguageModelTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mdsl-lm-tests-" + Guid.NewGuid().ToString("N"));
    private readonly TextCorpus _corpus = TextCorpora.EnglishSample();

    public void Dispose()
    {
        _corpus.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private (IDataLoader Train, IDataLoader HeldOut) Loaders(int context = 16, int windows = 192, int batch = 16)
    {
        var train = new TokenWindowLoader(_corpus.Train, new TokenWindowOptions { ContextLength = context, BatchSize = batch, Seed = 5, MaxWindows = windows });
        var heldOut = new TokenWindowLoader(_corpus.HeldOut, new TokenWindowOptions { ContextLength = context, BatchSize = 64, Shuffle = false, MaxWindows = 64 });
        return (Adapt(train), Adapt(heldOut));
    }

    private static IDataLoader Adapt(TokenWindowLoader loader) =>
        new DelegateDataLoader(loader.BatchCount, e => loader.Batches(e).Select(b => (b.Input, b.Target)));

    private static TrainerOptions Options(int totalSteps, IReadOnlyList<TrainerCallback>? callbacks = null) => new()
    {
        Optimizer = new AdamOptions(3e-3, Beta2: 0.99, WeightDecay: 0.1, Decoupled: true),
        Schedule = new WarmupCosineLr(3e-3, warmupSteps: 4, totalSteps: totalSteps, minLearningRate: 3e-4),
        MaxGradientNorm = 1.0,
        Condition = new ConsecutiveDecrease(1),
        Callbacks = callbacks ?? [],
        Seed = 3,
    };

    [Fact]
    public void The_task_comes_from_the_definition_and_the_loss_is_the_mean_over_all_positions()
    {
        var definition = new TinyGptFixtureDefinition();
        using var trainer = MotivationTrainer.Create(definition, Options(100));
        var task = Assert.IsType<LanguageModelTask>(trainer.TrainingTask);
        Assert.Equal((16, 256, 1.0), (task.ContextLength, task.Vocabulary, task.BytesPerToken));
        Assert.Equal(16, trainer.Accounting.TokensPerSample);
        using (var classifier = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions { Optimizer = new SgdOptions(0.1) }))
            Assert.IsType<ClassificationTask>(classifier.TrainingTask);

        using var scope = NewDisposeScope();
        manual_seed(1);
        var logits = randn(3, 5, 256);
        var target = randint(0, 256, [3, 5], dtype: ScalarType.Int64);
        var expected = -nn.functional.log_softmax(logits, -1).gather(2, target.unsqueeze(2)).mean().item<float>();
        Assert.InRange(task.Loss(logits, target).item<float>(), expected - 1e-5, expected + 1e-5);
        Assert.Equal(15, task.Predictions(target, target));
        var e = Assert.Throws<ArgumentException>(() => task.Loss(randn(3, 256), target));
        Assert.Equal("A language model's output must be [B, T, 256] and its target [B, T]; got output [3, 256] and target [3, 5].", e.Message);
        Assert.Throws<ArgumentException>(() => TrainingTasks.For(definition, (o, t) => o.sum()));
    }

    [Fact]
    public void Motivated_training_learns_text_and_reports_perplexity_bits_per_byte_and_flops_per_token()
    {
        var definition = new TinyGptFixtureDefinition();
        var (train, heldOut) = Loaders();
        using var trainer = MotivationTrainer.Create(definition, Options(2 * train.BatchCount));
        var before = trainer.Evaluate(ModelRole.Base, heldOut);
        var report = trainer.Fit(train, heldOut, 2);

        var acc = report.Accounting;
        Assert.True(acc.MotivatedBatches > 0 && acc.BaseBatches > 0, $"base {acc.BaseBatches}, motivated {acc.MotivatedBatches} batches");
        Assert.True(acc.SwitchesToMotivated > 0);
        foreach (var r in new[] { before, report.FinalBase!, report.FinalMotivated! })
        {
            Assert.Equal(64L * 16, r.Tokens);
            Assert.Equal(64, r.Samples);
            Assert.Equal(Math.Exp(r.Loss), r.Perplexity!.Value, 12);
            Assert.Equal(r.Loss / Math.Log(2), r.BitsPerByte!.Value, 12);
            Assert.InRange(r.Accuracy, 0, 1);
        }
        // From about 8 bits per byte (uniform over 256 bytes) to clearly better, for both models.
        Assert.InRange(before.BitsPerByte!.Value, 7.5, 8.5);
        Assert.True(report.FinalBase!.BitsPerByte < 6.0, $"base {report.FinalBase.BitsPerByte} bits per byte");
        Assert.True(report.FinalMotivated!.BitsPerByte < 6.5, $"motivated {report.FinalMotivated.BitsPerByte} bits per byte");
        Assert.InRange(report.Epochs[^1].BaseTrainAccuracy, 0.05, 1);

        // FLOPs per token: the per-sequence FLOPs (2 x MACs of 16 tokens) over the context length.
        Assert.Equal(2 * definition.MacsPerSequence(1), acc.BaseFlops);
        Assert.Equal(acc.MeanForwardFlops / 16, acc.MeanForwardFlopsPerToken!.Value, 6);
        Assert.InRange(acc.MeanForwardFlopsPerToken!.Value, acc.BaseFlops / 16.0, acc.MotivatedFlops / 16.0);
        Assert.Contains("\"bitsPerByte\"", report.ToJson());
    }

    [Fact]
    public void A_switch_carries_the_shared_blocks_and_their_adam_state_into_the_motivated_model()
    {
        var (train, _) = Loaders(windows: 64);
        using var trainer = MotivationTrainer.Create(new TinyGptFixtureDefinition(),
            new TrainerOptions { Optimizer = new AdamOptions(3e-3, WeightDecay: 0.1, Decoupled: true), Condition = new Never(), Seed = 3 });
        trainer.Fit(train, null, 1);
        trainer.SwitchToMotivated();
        var motivated = trainer.Pair.Motivated.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in trainer.Pair.Base.named_parameters())
        {
            Assert.True(Snap.Bitwise(p, motivated[name]), $"'{name}' was not copied");
            Assert.True(Snap.Bitwise(trainer.BaseOptimizer.GetState(name, "exp_avg"), trainer.MotivatedOptimizer.GetState(name, "exp_avg")), $"exp_avg of '{name}'");
            Assert.Equal(trainer.BaseOptimizer.GetStep(name), trainer.MotivatedOptimizer.GetStep(name));
        }
        Assert.Equal(0, trainer.MotivatedOptimizer.GetStep("transformer.h.1.attn.c_attn.weight"));
    }

    [Fact]
    public void Resume_after_one_epoch_equals_an_uninterrupted_two_epoch_run_bitwise()
    {
        var (train, heldOut) = Loaders(windows: 96);
        var steps = 2 * train.BatchCount;
        FitReport full;
        Dictionary<string, Tensor> fullBase, fullMot, fullOpt;
        using (var a = MotivationTrainer.Create(new TinyGptFixtureDefinition(), Options(steps)))
        {
            full = a.Fit(train, heldOut, 2);
            fullBase = Snap.State(a.Pair.Base); fullMot = Snap.State(a.Pair.Motivated); fullOpt = Snap.Optimizer(a.MotivatedOptimizer);
        }
        Assert.True(full.Accounting.MotivatedBatches > 0);
        using (var b = MotivationTrainer.Create(new TinyGptFixtureDefinition(), Options(steps, [new CheckpointCallback(_dir, keepLast: 1)])))
            b.Fit(train, heldOut, 1);
        manual_seed(999);
        using var c = MotivationTrainer.Create(new TinyGptFixtureDefinition(), Options(steps));
        c.LoadCheckpoint(CheckpointCallback.Latest(_dir)!);
        var resumed = c.Fit(train, heldOut, 2);
        Snap.AssertBitwiseEqual(fullBase, Snap.State(c.Pair.Base));
        Snap.AssertBitwiseEqual(fullMot, Snap.State(c.Pair.Motivated));
        Snap.AssertBitwiseEqual(fullOpt, Snap.Optimizer(c.MotivatedOptimizer));
        for (var i = 0; i < 2; i++) Assert.Equal(full.Epochs[i] with { Seconds = 0 }, resumed.Epochs[i] with { Seconds = 0 });
        Assert.Equal(full.Accounting.TokensPerSample, resumed.Accounting.TokensPerSample);
    }

    [Fact]
    public void Gradient_clipping_matches_torch_clip_grad_norm()
    {
        manual_seed(4);
        using var a = nn.Linear(8, 5);
        using var b = nn.Linear(8, 5);
        b.load_state_dict(a.state_dict());
        using var x = randn(6, 8);
        foreach (var m in new[] { a, b }) using (var y = m.call(x).pow(2).sum().mul(10)) y.backward();
        var total = GradientClipping.ClipByNorm(a.parameters(), 0.5).item<float>();
        var expected = nn.utils.clip_grad_norm_(b.parameters(), 0.5);
        Assert.Equal(expected, total, 4);
        Assert.True(total > 0.5);
        foreach (var (pa, pb) in a.parameters().Zip(b.parameters()))
            Assert.True(pa.grad!.allclose(pb.grad!, rtol: 1e-6, atol: 1e-7));
        using var clipped = stack(a.parameters().Select(p => p.grad!.norm(2.0f)).ToArray()).norm(2.0f);
        Assert.Equal(0.5, clipped.item<float>(), 4);
    }

    [Fact]
    public void Warmup_cosine_rises_linearly_then_decays_to_the_minimum()
    {
        var s = new WarmupCosineLr(1.0, warmupSteps: 4, totalSteps: 14, minLearningRate: 0.1);
        Assert.Equal([0.25, 0.5, 0.75, 1.0], Enumerable.Range(0, 4).Select(i => s.At(i, 7)));
        Assert.Equal(1.0, s.At(4, 7), 12);
        Assert.Equal(0.1 + 0.9 * 0.5, s.At(9, 7), 12);
        Assert.Equal(0.1, s.At(14, 7));
        Assert.Equal(0.1, s.At(1000, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupCosineLr(1.0, 5, 5));
    }
}

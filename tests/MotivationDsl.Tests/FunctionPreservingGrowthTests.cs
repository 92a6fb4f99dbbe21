using MotivationDsl.Tests.Models;
using MotivationDsl.Training;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using MotivationDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MotivationDsl.Tests;

/// <summary>
/// Growth.FunctionPreserving: right after the first base -> motivated copy and the growth steps, the motivated model's
/// logits equal the base's (eval mode); under the paper's rule they do not.
/// </summary>
public class FunctionPreservingGrowthTests
{
    // Fixture models (TestModels.cs), one per family: an example can change without breaking these tests.
    public static TheoryData<string> Families => new() { "TinyCifarResNet", "TinyEfficientNet", "TinyViT", "TinyGrowingViT", "WideNet", "CustomNet", "KernelNet" };

    private static ScalableModelDefinition Family(string name) => name switch
    {
        "TinyCifarResNet" => TinyCifarResNet.Definition,
        "TinyEfficientNet" => TinyEfficientNet.Definition,
        "TinyViT" => TinyViT.Definition,
        "TinyGrowingViT" => TinyGrowingViT.Definition,
        "WideNet" => WideNet.Definition,
        "CustomNet" => CustomNet.Definition,
        "KernelNet" => KernelNet.Definition,
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void Motivated_model_starts_from_the_base_function_only_under_function_preserving_growth(string family)
    {
        torch.set_num_threads(1);
        var definition = Family(family);
        var (b, m) = (definition.BaseVariant, definition.MotivatedVariant);

        var (preservingBase, preservingMotivated) = GrownLogits(definition.WithPair(b, m, Growth.FunctionPreserving));
        Numerics.AssertClose(preservingBase, preservingMotivated, Numerics.Deep, $"{family}, function-preserving: base and motivated logits");
        var (paperBase, paperMotivated) = GrownLogits(definition.WithPair(b, m, Growth.Paper));
        Numerics.AssertDifferent(paperBase, paperMotivated, 1e-2, $"{family}, paper's rule: base and motivated logits");
    }

    [Fact]
    public void Declared_rule_is_the_paper_unless_a_pair_or_the_model_says_otherwise()
    {
        Assert.False(TinyCifarResNet.Definition.Map.PreservesFunction);
        Assert.True(TinyCifarResNet.WithPair("R14", "R20", Growth.FunctionPreserving).Map.PreservesFunction);
        Assert.Same(TinyCifarResNet.Definition, TinyCifarResNet.WithPair("R14", "R20", Growth.Paper));
        Assert.True(TinyGrowingViT.Definition.Map.PreservesFunction);
        Assert.Same(TinyGrowingViT.Definition, TinyGrowingViT.WithPair("S", "L", Growth.FunctionPreserving));
        var error = Assert.Throws<ArgumentException>(() => TinyCifarResNet.WithPair("R14", "R26", Growth.FunctionPreserving));
        Assert.Contains("no proven weights map R14 -> R26 under Growth.FunctionPreserving", error.Message);
        Assert.Contains("[Pair(\"R14\", \"R26\", Growth = Growth.FunctionPreserving)]", error.Message);
    }

    [Fact]
    public void Growth_steps_follow_model_options_for_another_class_count()
    {
        var definition = TinyEfficientNet.WithPair("S", "M", Growth.FunctionPreserving);
        var options = new ModelOptions { Classes = 7 };
        var map = definition.MapFor(options);
        var head = map.Growth.Single(g => g.Tensor == "classifier.1.weight");
        Assert.Equal(GrowthAction.Zero, head.Action);
        // The head's inputs only the motivated model has (its wider last convolution) start at zero, for 7 classes.
        var baseWidth = definition.Describe("S", options).Shape("classifier.1.weight")[1];
        var motivatedWidth = definition.Describe("M", options).Shape("classifier.1.weight")[1];
        Assert.Equal([7L, 80L], definition.Describe("M", options).Shape("classifier.1.weight"));
        Assert.Equal(new TensorRegion(new DimRange(0, 7), new DimRange(baseWidth, motivatedWidth - baseWidth)), head.Region);
    }

    [Fact]
    public void Trainer_applies_growth_once_at_the_first_activation()
    {
        torch.set_num_threads(1);
        var definition = TinyCifarResNet.WithPair("R14", "R20", Growth.FunctionPreserving);
        using var trainer = MotivationTrainer.Create(definition, new TrainerOptions
        {
            Optimizer = new SgdOptions(0.05, Momentum: 0.9),
            Condition = new Never(),
            Seed = 3,
            TrackTrainAccuracy = false,
        });
        var x = randn(4, 3, 16, 16, generator: new Generator(11));
        var y = tensor(new long[] { 0, 1, 2, 3 });
        var data = new DelegateDataLoader(2, _ => [(x, y), (x.flip(3), y)]);
        trainer.Fit(data, null, epochs: 1);

        Numerics.CalibrateBatchNorm(trainer.Pair.Base, x);
        trainer.SwitchToMotivated();
        var (yb, ym) = EvalLogits(trainer.Pair, x);
        Numerics.AssertClose(yb, ym, Numerics.Deep, "R14 -> R20 at the first activation: base and motivated logits");
        var extra = ParameterNamed(trainer.Pair.Motivated, "layer1.2.bn2.weight");
        Assert.Equal(0f, extra.abs().max().item<float>());

        // Train the motivated model a step: the extra block's last BN scale moves off zero and must stay so.
        using (var scope = NewDisposeScope())
        {
            trainer.Pair.Motivated.train();
            var loss = nn.functional.cross_entropy(trainer.Pair.Motivated.call(x), y);
            trainer.Pair.Motivated.zero_grad();
            loss.backward();
            using (no_grad()) extra.add_(1.0f);
        }
        trainer.SwitchToBase();
        trainer.SwitchToMotivated();
        Assert.True(extra.abs().min().item<float>() > 0.5f, "the second activation re-applied the growth steps");

        // A resumed run does not apply them again either (the activation count is in the checkpoint).
        trainer.SwitchToBase();
        var path = Path.Combine(Path.GetTempPath(), $"growth-{Guid.NewGuid():N}.ckpt");
        try
        {
            trainer.SaveCheckpoint(path);
            using var resumed = MotivationTrainer.Create(definition, new TrainerOptions
            {
                Optimizer = new SgdOptions(0.05, Momentum: 0.9), Condition = new Never(), Seed = 3, TrackTrainAccuracy = false,
            });
            resumed.LoadCheckpoint(path);
            resumed.SwitchToMotivated();
            Assert.True(ParameterNamed(resumed.Pair.Motivated, "layer1.2.bn2.weight").abs().min().item<float>() > 0.5f,
                "the resumed run re-applied the growth steps");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Zero_copy_pairs_preserve_the_function_too()
    {
        torch.set_num_threads(1);
        // Trained and calibrated as the theory above: at torchvision's initialisation eval mode is ill-conditioned
        // (the example's B2 gave logits of 1e-13, or 2e4 with relative rounding gaps of 1e-4 after calibration).
        var (yb, ym) = GrownLogits(TinyEfficientNet.WithPair("S", "M", Growth.FunctionPreserving), zeroCopy: true);
        Numerics.AssertClose(yb, ym, Numerics.Deep, "TinyEfficientNet S -> M zero-copy: base and motivated logits");
    }

    private static Tensor ParameterNamed(nn.Module module, string name) => module.named_parameters().Single(p => p.name == name).parameter;

    /// <summary>
    /// Trains the base a few steps (weights and BatchNorm statistics move), calibrates its BatchNorm statistics on the batch
    /// (without that, eval-mode logits of EfficientNet reached 1e18, where float rounding alone differs by 1e12 between CPUs),
    /// copies it into the motivated model, applies growth; returns both models' eval logits.
    /// </summary>
    internal static (Tensor Base, Tensor Motivated) GrownLogits(ScalableModelDefinition definition, bool zeroCopy = false)
    {
        using var pair = definition.CreatePair(null, 5, zeroCopy);
        Assert.True(!zeroCopy || pair.Map.SharedCount > 0);
        var info = definition.Describe(definition.BaseVariant);
        var x = randn([4, .. info.InputShape.Select(d => (long)d)], generator: new Generator(17));
        var y = tensor(new long[] { 0, 1, 2, 3 }) % info.Classes;
        using (var optimizer = optim.SGD(pair.Base.parameters(), 0.05, momentum: 0.9))
        {
            pair.Base.train();
            for (var i = 0; i < 3; i++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                nn.functional.cross_entropy(pair.Base.call(x), y).backward();
                optimizer.step();
            }
        }
        Numerics.CalibrateBatchNorm(pair.Base, x);
        pair.Map.CopyBaseToMotivated();
        pair.Map.ApplyGrowth();
        return EvalLogits(pair, x);
    }

    private static (Tensor Base, Tensor Motivated) EvalLogits(MotivationPair pair, Tensor x)
    {
        using var _ = no_grad();
        pair.Base.eval();
        pair.Motivated.eval();
        return (pair.Base.call(x), pair.Motivated.call(x));
    }
}

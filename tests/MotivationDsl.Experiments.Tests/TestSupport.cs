using System.Runtime.CompilerServices;
using MotivationDsl;
using MotivationDsl.Data;
using TorchSharp;
using static TorchSharp.torch;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace MotivationDsl.Experiments.Tests;

internal static class TestSetup
{
    [ModuleInitializer]
    internal static void Init() => torch.set_num_threads(1);
}

/// <summary>A tiny CIFAR-style ResNet family (1x8x8 input, 4 classes): 1,2 -> 2,3 basic blocks per stage, option A shortcuts.</summary>
[ScalableModel(InputShape = new[] { 1, 8, 8 }, Classes = 4, Base = "Small", Motivated = "Large")]
[Variant("Small", Depth = new[] { 1, 2 })]
[Variant("Large", Depth = new[] { 2, 3 })]
[Conv2d("conv1", 4, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 4, Stride = 1, Shortcut = Shortcut.A)]
[Stage("layer2", Block.Basic, 8, Stride = 2, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("linear")]
public partial class TinyNet
{
}

/// <summary>The same family with a 2-way head (transfer-learning target).</summary>
[ScalableModel(InputShape = new[] { 1, 8, 8 }, Classes = 2, Base = "Small", Motivated = "Large")]
[Variant("Small", Depth = new[] { 1, 2 })]
[Variant("Large", Depth = new[] { 2, 3 })]
[Conv2d("conv1", 4, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 4, Stride = 1, Shortcut = Shortcut.A)]
[Stage("layer2", Block.Basic, 8, Stride = 2, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("linear")]
public partial class TinyNet2
{
}

/// <summary>TinyNet under function-preserving growth: the same variants and layers, its X-F twin.</summary>
[ScalableModel(InputShape = new[] { 1, 8, 8 }, Classes = 4, Base = "Small", Motivated = "Large", Growth = Growth.FunctionPreserving)]
[Variant("Small", Depth = new[] { 1, 2 })]
[Variant("Large", Depth = new[] { 2, 3 })]
[Conv2d("conv1", 4, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 4, Stride = 1, Shortcut = Shortcut.A)]
[Stage("layer2", Block.Basic, 8, Stride = 2, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("linear")]
public partial class TinyNetGrowing
{
}

/// <summary>TinyNet declared again under the paper's rule: the same architecture, but not a function-preserving twin.</summary>
[ScalableModel(InputShape = new[] { 1, 8, 8 }, Classes = 4, Base = "Small", Motivated = "Large")]
[Variant("Small", Depth = new[] { 1, 2 })]
[Variant("Large", Depth = new[] { 2, 3 })]
[Conv2d("conv1", 4, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 4, Stride = 1, Shortcut = Shortcut.A)]
[Stage("layer2", Block.Basic, 8, Stride = 2, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("linear")]
public partial class TinyNetPaperTwin
{
}

/// <summary>TinyNet with a deeper Large variant (2,4 blocks): the same variant names, another architecture.</summary>
[ScalableModel(InputShape = new[] { 1, 8, 8 }, Classes = 4, Base = "Small", Motivated = "Large")]
[Variant("Small", Depth = new[] { 1, 2 })]
[Variant("Large", Depth = new[] { 2, 4 })]
[Conv2d("conv1", 4, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 4, Stride = 1, Shortcut = Shortcut.A)]
[Stage("layer2", Block.Basic, 8, Stride = 2, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("linear")]
public partial class TinyNetDeeper
{
}

internal static class Synthetic
{
    /// <summary>
    /// Learnable images: class c has a bright 3x3 patch at a class-specific place, plus uniform noise; deterministic in
    /// <paramref name="seed"/>. 4 classes.
    /// </summary>
    public static ImageDataset Make(int count, long seed)
    {
        var rng = new Random((int)seed);
        var pixels = new byte[count * 64];
        var labels = new byte[count];
        (int R, int C)[] spots = [(1, 1), (1, 4), (4, 1), (4, 4)];
        for (int i = 0; i < count; i++)
        {
            var c = i % 4;
            labels[i] = (byte)c;
            for (int p = 0; p < 64; p++) pixels[i * 64 + p] = (byte)rng.Next(0, 90);
            var (r0, c0) = spots[c];
            for (int r = 0; r < 3; r++)
                for (int k = 0; k < 3; k++)
                    pixels[i * 64 + (r0 + r) * 8 + c0 + k] = (byte)rng.Next(180, 256);
        }
        return ImageDataset.FromBytes(pixels, labels, 1, 8, 8, 4, $"synthetic(seed={seed})");
    }

    public static ExperimentData Data() => new ImageExperimentData(Make(96, 1), Make(48, 2), new Normalization([0.3f], [0.3f]));

    public static ExperimentConfig Config(string name = "tiny", int epochs = 2, bool ablations = false) => new()
    {
        Name = name, Model = TinyNet.Definition.Name, BaseVariant = "Small", MotivatedVariant = "Large",
        Data = "synthetic 96/48", Epochs = epochs, Seeds = [1, 2], BatchSize = 16, LearningRate = 0.05,
        Ablations = ablations, K = 1,
    };

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "mdsl-exp-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(d);
        return d;
    }
}

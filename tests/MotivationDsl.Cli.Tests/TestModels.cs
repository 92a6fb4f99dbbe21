using MotivationDsl;

// The trainings share TorchSharp's global generator and thread count: run the tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace MotivationDsl.Cli.Tests;

/// <summary>A tiny Fashion-MNIST ResNet (1x28x28, 10 classes): depth 1,2 -> 2,3, widths 4/8.</summary>
[ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 10, Base = "Small", Motivated = "Large")]
[Variant("Small", Depth = new[] { 1, 2 })]
[Variant("Large", Depth = new[] { 2, 3 })]
[Conv2d("conv1", 4, Kernel = 3, Padding = 1, Stride = 2, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 4, Shortcut = Shortcut.A)]
[Stage("layer2", Block.Basic, 8, Stride = 2, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("fc")]
public partial class TinyFashion;

/// <summary>Another architecture (for the "resume of a different architecture" error).</summary>
[ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 10, Base = "Small", Motivated = "Large")]
[Variant("Small", Depth = new[] { 1 })]
[Variant("Large", Depth = new[] { 2 })]
[Conv2d("conv1", 6, Kernel = 3, Padding = 1, Stride = 2, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 6, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("fc")]
public partial class OtherTiny;

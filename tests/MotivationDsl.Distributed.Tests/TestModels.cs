using MotivationDsl;

// Every test starts processes that use both cores: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace MotivationDsl.Distributed.Tests;

/// <summary>No BatchNorm: 2 ranks x batch B/2 must train exactly what 1 rank x batch B trains (up to float summation order).</summary>
[ScalableModel(InputShape = new[] { 3, 8, 8 }, Classes = 4, Base = "Narrow", Motivated = "Wide")]
[Variant("Narrow")]
[Variant("Wide", WidthMultiplier = 2)]
[Conv2d("conv1", 4, Kernel = 3, Padding = 1)]
[ReLU]
[GlobalAvgPool]
[Flatten]
[Linear("hidden", 8)]
[ReLU]
[Linear("fc")]
public partial class TinyNoNorm;

/// <summary>With BatchNorm (running statistics averaged across ranks at switches and epoch ends).</summary>
[ScalableModel(InputShape = new[] { 3, 8, 8 }, Classes = 4, Base = "Small", Motivated = "Large")]
[Variant("Small", Depth = new[] { 1 })]
[Variant("Large", Depth = new[] { 2 })]
[Conv2d("conv1", 4, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 4, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("fc")]
public partial class TinyNorm;

/// <summary>Fashion-MNIST-shaped, for the CLI under mpirun (--data sample).</summary>
[ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 10, Base = "Small", Motivated = "Large")]
[Variant("Small", Depth = new[] { 1 })]
[Variant("Large", Depth = new[] { 2 })]
[Conv2d("conv1", 4, Kernel = 3, Padding = 1, Stride = 2, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 4, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("fc")]
public partial class MpiFashion;

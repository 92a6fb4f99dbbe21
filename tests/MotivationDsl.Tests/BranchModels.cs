using MotivationDsl;

namespace MotivationDsl.Tests.Models;

/// <summary>
/// Inception-style parallel branches joined by concatenation (8 + 16 channels at width 8), then a batch norm over the
/// concatenated channels and a 1x1 projection that reads them: both map branch by branch.
/// </summary>
[ScalableBlock(Residual = false)]
[Branch("b1")]
[Conv2d("conv", Kernel = 1, Bias = false)]
[BatchNorm2d("bn")]
[ReLU]
[Branch("b2")]
[Conv2d("conv", Kernel = 3, Padding = 1, Bias = false, Expansion = 2)]
[BatchNorm2d("bn")]
[ReLU]
[Join(JoinMode.Concat)]
[BatchNorm2d("bn")]
[Conv2d("project", Kernel = 1)]
public partial class MixBlock
{
}

/// <summary>Two branches joined by addition: a convolution and an empty branch (the identity).</summary>
[ScalableBlock(Residual = false)]
[Branch("main")]
[Conv2d("conv", Kernel = 3, Padding = 1)]
[BatchNorm2d("bn")]
[Branch("skip")]
[Join(JoinMode.Add)]
[ReLU]
public partial class AddBlock
{
}

/// <summary>
/// Parallel branches in user blocks (tests/reference/compare_block_layers.py defines it in PyTorch). S -> W widens every
/// branch at equal depth, which the concatenation's piecewise map must carry; S -> L also adds an AddBlock and widens the
/// hidden Linear by [LayerWidth] (16 -> 24 features, while W keeps 16).
/// </summary>
[ScalableModel(InputShape = new[] { 3, 16, 16 }, Classes = 5, Base = "S", Motivated = "L")]
[Pair("S", "W")]
[Variant("S", Depth = new[] { 1, 1 }, Width = new[] { 8, 8 })]
[Variant("W", Depth = new[] { 1, 1 }, Width = new[] { 12, 12 })]
[Variant("L", Depth = new[] { 1, 2 }, Width = new[] { 12, 12 })]
[LayerWidth("L", "hidden", 24)]
[Conv2d("stem", 8, Padding = 1)]
[ReLU]
[Stage("mix", typeof(MixBlock), 8)]
[Stage("fuse", typeof(AddBlock), 8)]
[GlobalAvgPool]
[Flatten]
[Linear("hidden", 16)]
[ReLU]
[Linear("classifier")]
public partial class BranchNet
{
}

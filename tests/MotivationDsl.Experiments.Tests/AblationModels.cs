using MotivationDsl;

namespace MotivationDsl.Experiments.Tests;

/// <summary>TinyNet's first-l + random growth-ablation cell: the paper's rule, the base's blocks placed first.</summary>
[ScalableModel(InputShape = new[] { 1, 8, 8 }, Classes = 4, Base = "Small", Motivated = "Large", DepthMap = DepthMap.FirstL)]
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
public partial class TinyNetFirstRandom
{
}

/// <summary>
/// TinyNet's last-to-last + identity cell: function-preserving growth with layer2 placed last-to-last (its extra
/// block sits between the base's two). layer1 grows from one block, where last-to-last would put the identity first
/// in the stage, which cannot be proven (MOT033), so that stage keeps first-l.
/// </summary>
[ScalableModel(InputShape = new[] { 1, 8, 8 }, Classes = 4, Base = "Small", Motivated = "Large", Growth = Growth.FunctionPreserving,
    DepthMap = DepthMap.LastToLast)]
[Variant("Small", Depth = new[] { 1, 2 })]
[Variant("Large", Depth = new[] { 2, 3 })]
[Conv2d("conv1", 4, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 4, Stride = 1, Shortcut = Shortcut.A, DepthMap = DepthMap.FirstL)]
[Stage("layer2", Block.Basic, 8, Stride = 2, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("linear")]
public partial class TinyNetLastIdentity
{
}

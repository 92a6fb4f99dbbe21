using MotivationDsl;

namespace MotivationDsl.Tests.Models;

/// <summary>Conv-BN-ReLU, squeeze-and-excitation and a window pooling inside a block (not residual): halves the size.</summary>
[ScalableBlock(Residual = false)]
[Conv2d("conv", Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn")]
[ReLU]
[SqueezeExcitation("se")]
[MaxPool2d(2)]
public partial class PoolBlock
{
}

/// <summary>Image to features inside a block: adaptive pooling to 2 x 2, Flatten, a width-scaled Linear, LayerNorm, GELU.</summary>
[ScalableBlock(Residual = false)]
[AdaptiveMaxPool2d(2)]
[Flatten]
[Linear("fc")]
[LayerNorm("norm")]
[GELU]
public partial class HeadBlock
{
}

/// <summary>A pre-norm residual MLP block on features.</summary>
[ScalableBlock(ReLUAfterAdd = false)]
[LayerNorm("ln")]
[Linear("fc1", Expansion = 2)]
[GELU]
[Dropout(0.1)]
[Linear("fc2")]
public partial class MlpBlock
{
}

/// <summary>
/// The layers user blocks can hold besides convolutions and batch norms (tests/reference/compare_block_layers.py defines it in PyTorch):
/// S -> L grows every stage in width and two in depth, and the stem by [LayerWidth]; S -> F widens only the convolutional
/// stage, so the flattened features that reach the head's Linear grow (the channel-major prefix the map relies on).
/// </summary>
[ScalableModel(InputShape = new[] { 3, 16, 16 }, Classes = 5, Base = "S", Motivated = "L")]
[Pair("S", "F")]
[Variant("S", Depth = new[] { 1, 1, 1 }, Width = new[] { 8, 16, 16 })]
[Variant("F", Depth = new[] { 1, 1, 1 }, Width = new[] { 12, 16, 16 })]
[Variant("L", Depth = new[] { 2, 1, 2 }, Width = new[] { 12, 24, 24 })]
[LayerWidth("L", "stem", 12)]
[Conv2d("stem", 8, Padding = 1)]
[ReLU]
[AdaptiveAvgPool2d(8)]
[Stage("features", typeof(PoolBlock), 8, DepthMap = DepthMap.FirstL)]
[Stage("head", typeof(HeadBlock), 16)]
[Stage("mlp", typeof(MlpBlock), 16)]
[Linear("classifier")]
public partial class BlockLayerNet
{
}

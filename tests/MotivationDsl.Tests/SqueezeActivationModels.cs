using MotivationDsl;

namespace MotivationDsl.Tests.Models;

/// <summary>Conv-BN-ReLU then squeeze-and-excitation with GELU between its two 1x1 convolutions (squeeze = C / 8).</summary>
[ScalableBlock(Residual = false)]
[Conv2d("conv", Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn")]
[ReLU]
[SqueezeExcitation("se", Ratio = 0.125, Activation = SqueezeActivation.GELU)]
public partial class GeluSqueezeBlock
{
}

/// <summary>A residual Conv-BN block whose branch ends with EfficientNet's squeeze-and-excitation (SiLU).</summary>
[ScalableBlock]
[Conv2d("conv", Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn")]
[SqueezeExcitation("se", Activation = SqueezeActivation.SiLU)]
public partial class SiluSqueezeBlock
{
}

/// <summary>
/// The squeeze-and-excitation activations other than torchvision's default ReLU (BlockLayerNet has that one), checked
/// against torchvision's <c>ops.SqueezeExcitation(activation=nn.GELU / nn.SiLU)</c> by tests/reference/compare_block_layers.py.
/// </summary>
[ScalableModel(InputShape = new[] { 3, 16, 16 }, Classes = 5, Base = "S", Motivated = "L")]
[Variant("S", Depth = new[] { 1, 1 }, Width = new[] { 16, 16 })]
[Variant("L", Depth = new[] { 1, 2 }, Width = new[] { 24, 24 })]
[Conv2d("stem", 8, Padding = 1)]
[ReLU]
[Stage("features", typeof(GeluSqueezeBlock), 16)]
[Stage("residual", typeof(SiluSqueezeBlock), 16)]
[GlobalAvgPool]
[Flatten]
[Linear("classifier")]
public partial class SqueezeActivationNet
{
}

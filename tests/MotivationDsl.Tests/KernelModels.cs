using MotivationDsl;

namespace MotivationDsl.Tests.Models;

/// <summary>
/// A kernel per variant outside MBConv (<c>Kernels</c>): S has 3x3 kernels in both stages, L 5x5 in its Basic blocks
/// (layer1) and in its [ScalableBlock] stage (layer2, whose 1x1 convolution keeps its kernel). Each base kernel is mapped
/// into the centre of the motivated one; under Growth.FunctionPreserving the ring around it starts at zero.
/// </summary>
[ScalableModel(InputShape = new[] { 3, 16, 16 }, Classes = 5, Base = "S", Motivated = "L")]
[Pair("S", "L", Growth = Growth.FunctionPreserving)]
[Variant("S", Depth = new[] { 1, 1 }, Kernels = new[] { 3, 3 })]
[Variant("L", Depth = new[] { 2, 1 }, Kernels = new[] { 5, 5 })]
[Conv2d("conv1", 8, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 8, DepthMap = DepthMap.FirstL)]
[Stage("layer2", typeof(KernelBlock), 16, Stride = 2, Shortcut = Shortcut.B)]
[GlobalAvgPool]
[Flatten]
[Linear("linear")]
public partial class KernelNet
{
}

/// <summary>A residual block with one kxk convolution (the variant's kernel) and a 1x1 convolution.</summary>
[ScalableBlock]
[Conv2d("conv1", Kernel = 3, Padding = 1, StageStride = true, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Conv2d("conv2", Kernel = 1, Bias = false)]
[BatchNorm2d("bn2")]
public partial class KernelBlock
{
}
